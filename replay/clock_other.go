//go:build !linux

package replay

func newClock() clock { return spinClock{} }
