package beamproc

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// Compile runs erlc on files (names inside dir, e.g. "erlgo_bench.erl")
// and writes the .beam files into dir, ready for erl's -pa. The error
// carries erlc's output.
func Compile(ctx context.Context, erlc, dir string, files ...string) error {
	args := []string{"-o", dir}
	for _, f := range files {
		args = append(args, filepath.Join(dir, f))
	}
	out, err := exec.CommandContext(ctx, erlc, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("erlc %s: %w: %s", strings.Join(files, " "), err, out)
	}
	return nil
}
