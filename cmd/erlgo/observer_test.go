package main

import (
	"net"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestObserverAccess(t *testing.T) {
	loop := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9911}
	wild := &net.TCPAddr{IP: net.IPv4zero, Port: 9911}

	lb, tok, err := observerAccess(loop, "")
	require.NoError(t, err)
	require.True(t, lb)
	require.Empty(t, tok, "loopback: no token unless asked")

	lb, tok, err = observerAccess(wild, "")
	require.NoError(t, err)
	require.False(t, lb)
	require.Len(t, tok, 32, "a random token for a non-loopback bind")
	_, tok2, err := observerAccess(wild, "")
	require.NoError(t, err)
	require.NotEqual(t, tok, tok2)

	_, tok, err = observerAccess(wild, "given")
	require.NoError(t, err)
	require.Equal(t, "given", tok)
}
