package interop

import (
	"context"
	"encoding/hex"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/stretchr/testify/require"
)

// TestIOServerFormatsLikeErl: a real erl sends io_lib:format requests
// with ~tp and ~w of assorted terms to the Go node's user process (what
// io:format(GoGroupLeader, ...) sends) and formats the same locally; the
// Go io server writes exactly erl's text.
func TestIOServerFormatsLikeErl(t *testing.T) {
	erltest.RequireTools(t, "erl", "epmd")
	port := erltest.StartEPMD(t)
	cookie := "iofmt" + strconv.FormatInt(seq.Add(1), 10)
	out := &syncBuffer{}
	n, _, _ := distServices(t, port, cookie, WithOutput(out))
	exprs := []string{
		`"hi"`, `[104,105]`, `[7,104]`, `<<"bin">>`, `<<"é"/utf8>>`, `<<1,2,255>>`, `<<1:3>>`,
		`{ok,'Quoted',[a|b]}`, `#{b => 1, a => "s"}`, `1.0e-5`, `100.0`, `123456789.0`, `-0.0`,
		`1180591620717411303424`, `'it\'s'`, `fun lists:map/2`, `[]`, `<<>>`, `"a\"b\\c\td"`,
	}
	script := `G = {user, '` + string(n.Name()) + `'},
	lists:foreach(fun(E) ->
		{ok, Toks, _} = erl_scan:string(E ++ "."),
		{ok, Exprs} = erl_parse:parse_exprs(Toks),
		{value, T, _} = erl_eval:exprs(Exprs, []),
		Ref = make_ref(),
		G ! {io_request, self(), Ref, {put_chars, unicode, io_lib, format, ["~tp|~w~n", [T, T]]}},
		receive {io_reply, Ref, ok} -> ok after 10000 -> exit(no_io_reply) end,
		Text = unicode:characters_to_binary(io_lib:format("~tp|~w~n", [T, T])),
		io:format("~s~n", [binary:encode_hex(Text)])
	end, [` + erlStrings(exprs) + `]), halt().`
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "erl", "-noshell", "-name", "iofmt"+cookie+"@127.0.0.1", "-setcookie", cookie, "-eval", script)
	cmd.Env = erltest.EnvWithEPMD(port)
	res, err := cmd.CombinedOutput()
	require.NoError(t, err, "erl: %s", res)
	var want strings.Builder
	for _, line := range strings.Fields(string(res)) {
		b, err := hex.DecodeString(line)
		require.NoError(t, err, "erl printed %q", res)
		want.Write(b)
	}
	wantLines := strings.Split(want.String(), "\n")
	gotLines := strings.Split(out.String(), "\n")
	require.Len(t, gotLines, len(exprs)+1, "io server output:\n%s", out.String())
	for i, e := range exprs {
		require.Equal(t, wantLines[i], gotLines[i], "%s", e)
	}
}

// erlStrings renders Go strings as a comma-separated list of Erlang string
// literals.
func erlStrings(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
	}
	return strings.Join(q, ",")
}
