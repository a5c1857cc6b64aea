// Package checkstest holds helpers the checks' tests share.
package checkstest
