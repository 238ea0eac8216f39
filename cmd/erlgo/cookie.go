package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
)

// cookieFileName is erl's cookie file in the home directory.
const cookieFileName = ".erlang.cookie"

// resolveCookie picks the cookie: the flag, $ERLGO_COOKIE, then
// ~/.erlang.cookie, which it checks and creates as erl does (see
// cookieFromFile).
func resolveCookie(flagValue string) (cookie, source string, err error) {
	if flagValue != "" {
		return flagValue, "-cookie", nil
	}
	if c := os.Getenv("ERLGO_COOKIE"); c != "" {
		return c, "$ERLGO_COOKIE", nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", "", fmt.Errorf("no cookie: give -cookie or set ERLGO_COOKIE (%w)", err)
	}
	return cookieFromFile(filepath.Join(home, cookieFileName))
}

// cookieFromFile reads the cookie file the way OTP's auth module does.
// A file that is not a regular file, or that its group or others may
// access (any of mode 077), is refused with erl's own words: a cookie
// others can read lets them run code on every node of the cluster, so
// erl does not start with it, and neither does erlgo. A missing file is
// created with a random cookie of 20 upper-case letters and mode 0400,
// as erl does, and then used.
func cookieFromFile(path string) (cookie, source string, err error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		c, created, cerr := createCookieFile(path)
		if cerr != nil {
			return "", "", cerr
		}
		if created {
			return c, path + " (created)", nil
		}
		fi, err = os.Stat(path) // someone else created it meanwhile
	}
	if err != nil {
		return "", "", fmt.Errorf("cookie file %s: %w", path, err)
	}
	if err := checkCookieFile(path, fi); err != nil {
		return "", "", err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", "", fmt.Errorf("cookie file %s: %w", path, err)
	}
	c := strings.TrimSpace(string(b))
	if c == "" {
		return "", "", fmt.Errorf("no cookie: %s is empty", path)
	}
	return c, path, nil
}

// checkCookieFile applies auth.erl's checks: a regular file, accessible by
// its owner only. The messages are erl's.
func checkCookieFile(path string, fi fs.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("Cookie file %s is of type %s", path, fileType(fi.Mode())) //nolint:staticcheck // erl's own words
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("Cookie file %s must be accessible by owner only", path) //nolint:staticcheck // erl's own words
	}
	return nil
}

// fileType names a non-regular file type as Erlang's file:read_file_info
// does.
func fileType(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeSymlink != 0:
		return "symlink"
	case m&fs.ModeDevice != 0:
		return "device"
	default:
		return "other"
	}
}

// createCookieFile writes a new random cookie with mode 0400. created is
// false when the file appeared meanwhile (O_EXCL lost the race).
func createCookieFile(path string) (cookie string, created bool, err error) {
	c, err := randomCookie()
	if err != nil {
		return "", false, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o400)
	if errors.Is(err, fs.ErrExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("creating cookie file: %w", err)
	}
	_, werr := f.WriteString(c)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		_ = os.Remove(path)
		return "", false, fmt.Errorf("creating cookie file %s: %w", path, werr)
	}
	return c, true, nil
}

// randomCookie is 20 random letters A-Z, the form erl generates.
func randomCookie() (string, error) {
	var b [20]byte
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(26))
		if err != nil {
			return "", err
		}
		b[i] = 'A' + byte(n.Int64())
	}
	return string(b[:]), nil
}
