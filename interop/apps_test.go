package interop

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"
	"github.com/stretchr/testify/require"
)

// TestGoControlsGoApplications: the client functions toward an erlgo
// node serving its controller; the allow-list admits by application and
// by calling node (B is admitted for goapp, C is not; a node without
// Services has no known caller and only reaches godep, open to any node).
func TestGoControlsGoApplications(t *testing.T) {
	erltest.RequireTools(t, "epmd")
	port := erltest.StartEPMD(t)
	cookie := "gogoapps" + strconv.FormatInt(seq.Add(1), 10)
	_, sa, _ := distServices(t, port, cookie)
	b, _, _ := distServices(t, port, cookie)
	c, _, _ := distServices(t, port, cookie)
	bare, err := node.Start(context.Background(), "bare"+cookie+"@127.0.0.1", node.WithCookie(cookie),
		node.WithEPMD("127.0.0.1", port), node.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		_ = bare.Stop(ctx)
	})
	apps, srv := goApps(t, sa)
	srv.Allow("goapp", b.Name())
	srv.Allow("godep")
	a := sa.Node().Name()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	var ae *AppError
	err = StartApplication(ctx, b, a, "goapp", actors.AppTemporary)
	require.ErrorIs(t, err, ErrNotStarted)
	require.ErrorAs(t, err, &ae)
	require.Equal(t, etf.Atom("godep"), ae.App)

	err = StartApplication(ctx, c, a, "goapp", actors.AppTemporary)
	require.ErrorIs(t, err, ErrAppNotAllowed, "C is not on goapp's list")
	_, err = EnsureAllStarted(ctx, bare, a, "goapp", actors.AppTemporary)
	require.ErrorIs(t, err, ErrAppNotAllowed, "an unknown caller")
	require.ErrorAs(t, err, &ae)
	require.Equal(t, etf.Atom("goapp"), ae.App)

	started, err := EnsureAllStarted(ctx, bare, a, "godep", actors.AppTemporary)
	require.NoError(t, err)
	require.Equal(t, []etf.Atom{"godep"}, started)
	started, err = EnsureAllStarted(ctx, b, a, "goapp", actors.AppPermanent)
	require.NoError(t, err)
	require.Equal(t, []etf.Atom{"goapp"}, started)
	require.Equal(t, []etf.Atom{"godep", "goapp"}, apps.Running())

	err = StartApplication(ctx, b, a, "goapp", actors.AppPermanent)
	require.ErrorIs(t, err, ErrAlreadyStarted)

	which, err := WhichApplications(ctx, c, a)
	require.NoError(t, err)
	require.Equal(t, []AppInfo{{Name: "goapp", Description: "goapp"}, {Name: "godep", Description: "godep"}}, which)

	require.ErrorIs(t, StopApplication(ctx, c, a, "goapp"), ErrAppNotAllowed)
	require.NoError(t, StopApplication(ctx, b, a, "goapp"))
	require.ErrorIs(t, StopApplication(ctx, b, a, "goapp"), ErrNotStarted)

	srv.Disallow("godep")
	require.ErrorIs(t, StopApplication(ctx, bare, a, "godep"), ErrAppNotAllowed, "after Disallow")
	require.Equal(t, []etf.Atom{"godep"}, apps.Running())
}

// TestAppReplyDecoding: answers of other shapes are ErrBadReply, never a
// wrong result.
func TestAppReplyDecoding(t *testing.T) {
	for name, v := range map[string]etf.Term{
		"not a tuple":       etf.Atom("ok"),
		"started not list":  etf.Tuple{atomOK, 1},
		"started not atoms": etf.Tuple{atomOK, etf.List{1}},
	} {
		_, err := ensureReply("x", v)
		require.ErrorIs(t, err, ErrBadReply, name)
	}
	for name, v := range map[string]etf.Term{
		"not a list":  etf.Atom("x"),
		"short tuple": etf.List{etf.Tuple{etf.Atom("a"), etf.Charlist("d")}},
		"bad vsn":     etf.List{etf.Tuple{etf.Atom("a"), etf.Charlist("d"), 1}},
	} {
		_, err := whichReply(v)
		require.ErrorIs(t, err, ErrBadReply, name)
	}
	require.ErrorIs(t, okOrAppError(etf.Atom("yes"), nil), ErrBadReply)
	require.ErrorIs(t, okOrAppError(etf.Tuple{atomError, etf.Atom("weird")}, nil), ErrAppFailed)
	l, err := whichReply(etf.List{etf.Tuple{etf.Atom("a"), etf.List{100, 233}, nil}})
	require.NoError(t, err)
	require.Equal(t, []AppInfo{{Name: "a", Description: "dé"}}, l)
}

// FuzzApplications feeds arbitrary terms to the reply decoders and, as
// {Function, Args}, to every application function the server registers
// (as a BEAM caller would through rpc), on a controller with loaded
// applications; nothing may panic and the controller must stay usable.
func FuzzApplications(f *testing.F) {
	_, s := fuzzNode(f)
	apps := actors.NewApplications(s.Node())
	sup := func() (actors.Actor, error) { return &actors.Supervisor{}, nil }
	_ = apps.Load(actors.App{Name: "godep", Start: sup})
	_ = apps.Load(actors.App{Name: "goapp", Deps: []etf.Atom{"godep"}, Start: sup})
	_ = apps.Load(actors.App{Name: "cyc1", Deps: []etf.Atom{"cyc2"}, Start: sup})
	_ = apps.Load(actors.App{Name: "cyc2", Deps: []etf.Atom{"cyc1"}, Start: sup})
	srv := ServeApplications(s, apps)
	for _, a := range []etf.Atom{"goapp", "godep", "cyc1", "cyc2", "nosuch"} {
		srv.Allow(a)
	}
	seeds := []etf.Term{
		etf.Tuple{etf.Atom("start"), etf.List{etf.Atom("goapp")}},
		etf.Tuple{etf.Atom("start"), etf.List{etf.Atom("godep"), etf.Atom("permanent")}},
		etf.Tuple{etf.Atom("ensure_all_started"), etf.List{etf.Atom("goapp"), etf.Atom("transient")}},
		etf.Tuple{etf.Atom("ensure_all_started"), etf.List{etf.Atom("cyc1")}},
		etf.Tuple{etf.Atom("stop"), etf.List{etf.Atom("goapp")}},
		etf.Tuple{etf.Atom("get_env"), etf.List{etf.Atom("goapp"), etf.Atom("k"), 1}},
		etf.Tuple{etf.Atom("set_env"), etf.List{etf.Atom("goapp"), etf.Atom("k"), etf.Binary("v"), etf.List{}}},
		etf.Tuple{etf.Atom("start"), etf.List{1}},
		etf.Tuple{etf.Atom("which_applications"), etf.List{}},
		etf.Tuple{atomOK, etf.List{etf.Atom("a")}},
		etf.Tuple{atomError, etf.Tuple{etf.Atom("a"), etf.Tuple{etf.Atom("not_started"), etf.Atom("b")}}},
		etf.List{etf.Tuple{etf.Atom("a"), etf.Charlist("d"), etf.Charlist("1.0")}},
	}
	for _, seed := range seeds {
		b, err := etf.Encode(seed)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := etf.Decode(data)
		if err != nil {
			return
		}
		_, _ = ensureReply("x", v)
		_, _ = whichReply(v)
		_ = okOrAppError(v, nil)
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		if call, ok := v.(etf.Tuple); ok && len(call) == 2 {
			fn, _ := call[0].(etf.Atom)
			args, _ := etf.AsList(call[1])
			if h, ok := s.reg.get(MFA{atomApplication, fn, len(args)}); ok {
				_, _ = h(ctx, args)
			}
		}
		require.NoError(t, apps.StopAll(ctx))
		require.Empty(t, apps.Running())
	})
}
