//go:build !linux

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "floor: needs Linux (epoll and timerfd)")
	os.Exit(1)
}
