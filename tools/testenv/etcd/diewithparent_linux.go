//go:build linux

package main

import (
	"os"
	"strconv"
	"syscall"
)

// When the test harness sets CDK8S_AI_TESTENV_PARENT_PID, ask the kernel to
// SIGKILL this process as soon as its parent (the jest process) dies, so a
// killed test run never leaves an orphan server behind. If the parent is
// already gone (it died before prctl ran), exit at once. Without the variable
// the binary behaves exactly like upstream.
func init() {
	want := os.Getenv("CDK8S_AI_TESTENV_PARENT_PID")
	if want == "" {
		return
	}
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0); errno != 0 {
		return
	}
	if strconv.Itoa(os.Getppid()) != want {
		os.Exit(1)
	}
}
