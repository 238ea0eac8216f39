package interop

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"
	"github.com/stretchr/testify/require"
)

// TestRPCUnwrapsRegisteredErrors: a Go caller of RPC on a node with a type
// registry gets an *Exception that unwraps to the registered error the
// remote function failed with: errors.Is finds the sentinel, errors.As the
// error type; an unregistered error stays a plain error:<<"text">>
// exception with nothing to unwrap.
func TestRPCUnwrapsRegisteredErrors(t *testing.T) {
	t.Run("own node", func(t *testing.T) {
		n, _ := registryServices(t, 0, "")
		checkRegisteredRPCErrors(t, n, n.Name())
	})
	t.Run("across the network", func(t *testing.T) {
		port := erltest.StartEPMD(t)
		cookie := "c" + strconv.FormatInt(seq.Add(1), 10)
		a, _ := registryServices(t, port, cookie)
		b, _ := registryServices(t, port, cookie)
		checkRegisteredRPCErrors(t, a, b.Name())
	})
}

func checkRegisteredRPCErrors(t *testing.T, n *node.Node, to etf.Atom) {
	t.Helper()
	ctx := context.Background()

	_, err := RPC(ctx, n, to, "shop", "fail", etf.List{etf.Atom("oos")})
	require.ErrorIs(t, err, ErrError)
	require.ErrorIs(t, err, errShopOutOfStock)

	_, err = RPC(ctx, n, to, "shop", "fail", etf.List{etf.Atom("stock")})
	var se shopStockError
	require.ErrorAs(t, err, &se)
	require.Equal(t, shopStockError{Item: "pen", Left: 0}, se)

	_, err = RPC(ctx, n, to, "shop", "fail", etf.List{etf.Atom("plain")})
	var ex *Exception
	require.ErrorAs(t, err, &ex)
	require.True(t, etf.Equal(etf.Binary("boom"), ex.Reason), "reason %s", etf.Format(ex.Reason))
	require.Nil(t, errors.Unwrap(err))
	require.NotErrorIs(t, err, errShopOutOfStock)
}
