%% Test peer for node/erl_test.go: a registered `ctl` process evaluates
%% Erlang expressions sent by the Go test, so each test writes the BEAM
%% side of its scenario inline.
%%
%%   {eval, From, Ref, Code} -> spawns a process that evaluates Code (a
%%   binary of Erlang expressions, with Go bound to From) and sends
%%   {Ref, Value} (or {Ref, {caught, Class, Reason}}) back to From.
-module(node_peer).
-export([start/0, eval/2, flood/3, expect/2]).

start() ->
    register(ctl, self()),
    io:format("ready~n"),
    loop().

loop() ->
    receive
        {eval, From, Ref, Code} ->
            spawn(fun() ->
                          R = try eval(Code, From)
                              catch C:E -> {caught, C, E}
                              end,
                          From ! {Ref, R}
                  end),
            loop();
        _ ->
            loop()
    end.

eval(Code, Go) ->
    {ok, Toks, _} = erl_scan:string(binary_to_list(Code)),
    {ok, Exprs} = erl_parse:parse_exprs(Toks),
    {value, V, _} = erl_eval:exprs(Exprs, [{'Go', Go}]),
    V.

%% flood(To, From, N) sends the integers From..N to To, in order.
flood(_To, I, N) when I > N -> ok;
flood(To, I, N) -> To ! I, flood(To, I + 1, N).

%% expect(I, N) receives I..N in order; returns ok or {out_of_order, I, Got}.
expect(I, N) when I > N -> ok;
expect(I, N) ->
    receive
        I -> expect(I + 1, N);
        Other when is_integer(Other) -> {out_of_order, I, Other}
    after 30000 -> {timeout, I}
    end.
