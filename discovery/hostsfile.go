package discovery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/erlgo/erlgo/etf"
)

// HostsFileName is the file net_adm:world/0 reads.
const HostsFileName = ".hosts.erlang"

// HostsSearchPath is where net_adm:host_file/0 looks for .hosts.erlang, in
// order: the current directory, then the home directory ($HOME, which is
// erl's -home). OTP looks in code:root_dir() last; a Go program has no
// OTP root, so pass a directory explicitly (FindHostsFile) if you need it.
func HostsSearchPath() []string {
	dirs := []string{"."}
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		dirs = append(dirs, home)
	}
	return dirs
}

// FindHostsFile returns the first dirs/.hosts.erlang that can be opened, as
// file:path_consult/2 picks it; with no dirs, HostsSearchPath(). It wraps
// ErrNoHostsFile when there is none.
func FindHostsFile(dirs ...string) (string, error) {
	if len(dirs) == 0 {
		dirs = HostsSearchPath()
	}
	for _, d := range dirs {
		p := filepath.Join(d, HostsFileName)
		f, err := os.Open(p)
		if err == nil {
			_ = f.Close()
			return p, nil
		}
	}
	return "", fmt.Errorf("%w in %q", ErrNoHostsFile, dirs)
}

// ReadHostsFile reads and parses one .hosts.erlang (ParseHosts).
func ReadHostsFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %w", ErrNoHostsFile, err)
		}
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxHostsFile+1))
	if err != nil {
		return nil, err
	}
	hosts, err := ParseHosts(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return hosts, nil
}

// hostsFile is the HostsFile strategy.
type hostsFile struct {
	path string
	scan *epmdScan
}

// HostsFile is net_adm:world/0: it reads the hosts in a .hosts.erlang file
// (path; "" means the first found on HostsSearchPath, looked for again at
// every poll) and lists every node registered in the EPMD of each host,
// as EPMDScan does. The file is read at every poll, so edits are picked
// up; a file that cannot be read or parsed makes that poll fail with the
// reason (ErrNoHostsFile, ErrMalformedHosts with the line) and the nodes
// already known are kept.
func HostsFile(path string, opts ...ScanOption) Strategy {
	return &hostsFile{path: path, scan: newEPMDScan(nil, opts)}
}

func (h *hostsFile) Nodes(ctx context.Context) ([]etf.Atom, error) {
	path := h.path
	if path == "" {
		var err error
		if path, err = FindHostsFile(); err != nil {
			return nil, err
		}
	}
	hosts, err := ReadHostsFile(path)
	if err != nil {
		return nil, err
	}
	return h.scan.scan(ctx, hosts)
}
