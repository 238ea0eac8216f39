//go:build !linux

package soak

import "os/exec"

// dieWithParent is Linux-only (Pdeathsig); elsewhere the BEAM nodes still
// halt when their stdin closes.
func dieWithParent(*exec.Cmd) {}
