//go:build linux

// Command launcher starts an upstream controller so that it dies with the test process: it asks the kernel to
// SIGKILL it when its parent exits (PR_SET_PDEATHSIG survives execve) and then replaces itself with the program.
// The upstream binaries built through `tool` directives cannot carry our own init code, so they start through this.
//
// Usage: launcher <parent pid> <program> [args...]
package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: launcher <parent pid> <program> [args...]")
		os.Exit(2)
	}
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0); errno != 0 {
		fmt.Fprintf(os.Stderr, "launcher: prctl: %v\n", errno)
		os.Exit(1)
	}
	if strconv.Itoa(os.Getppid()) != os.Args[1] {
		os.Exit(1) // the parent died before prctl ran
	}
	program, err := exec.LookPath(os.Args[2])
	if err != nil {
		fmt.Fprintf(os.Stderr, "launcher: %v\n", err)
		os.Exit(1)
	}
	if err := syscall.Exec(program, os.Args[2:], os.Environ()); err != nil {
		fmt.Fprintf(os.Stderr, "launcher: exec %s: %v\n", os.Args[2], err)
		os.Exit(1)
	}
}
