package bench

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// Machine describes where a report was measured.
type Machine struct {
	CPU       string `json:"cpu"`
	Cores     int    `json:"cores"`
	GOOS      string `json:"goos"`
	GOARCH    string `json:"goarch"`
	Kernel    string `json:"kernel,omitempty"`
	MemMiB    int    `json:"mem_mib,omitempty"`
	GoVersion string `json:"go_version"`
	OTP       string `json:"otp,omitempty"`
	ERTS      string `json:"erts,omitempty"`
}

// DescribeMachine gathers the CPU model and memory from /proc, the Go
// version, and the OTP and ERTS versions from erl (left empty when erl is
// missing).
func DescribeMachine(ctx context.Context, env *Env) Machine {
	m := Machine{
		CPU:       cpuModel(),
		Cores:     runtime.NumCPU(),
		GOOS:      runtime.GOOS,
		GOARCH:    runtime.GOARCH,
		GoVersion: runtime.Version(),
		MemMiB:    memTotalMiB(),
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if erl, err := env.tool(env.ErlPath, "erl"); err == nil {
		const eval = `R = erlang:system_info(otp_release),` +
			`F = filename:join([code:root_dir(), "releases", R, "OTP_VERSION"]),` +
			`V = case file:read_file(F) of {ok, B} -> string:trim(B); _ -> R end,` +
			`io:format("~s ~s~n", [V, erlang:system_info(version)]), halt().`
		if out, err := exec.CommandContext(ctx, erl, "-noshell", "-eval", eval).Output(); err == nil {
			if f := strings.Fields(string(out)); len(f) == 2 {
				m.OTP, m.ERTS = f[0], f[1]
			}
		}
	}
	return m
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func memTotalMiB() int {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "MemTotal:" {
			kb, _ := strconv.Atoi(f[1])
			return kb / 1024
		}
	}
	return 0
}
