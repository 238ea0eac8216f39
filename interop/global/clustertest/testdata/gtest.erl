%% Line-driven evaluator for erlgo's global/pg tests: each stdin line is
%% "Id Expr." ; the answer is one line "RESULT Id {ok,Value}|{error,Why}"
%% printed with ~w so that it never spans lines.
-module(gtest).
-export([main/0, collect/1, pg_watch/3]).

main() ->
    io:format("READY ~s~n", [node()]),
    loop().

loop() ->
    case io:get_line('') of
        eof -> erlang:halt(0);
        {error, _} -> erlang:halt(0);
        Line ->
            {Id, Expr} = split(string:trim(unicode:characters_to_list(Line))),
            Res = try
                      {ok, Toks, _} = erl_scan:string(Expr),
                      {ok, Exprs} = erl_parse:parse_exprs(Toks),
                      {value, V, _} = erl_eval:exprs(Exprs, erl_eval:new_bindings()),
                      {ok, V}
                  catch C:R -> {error, {C, R}}
                  end,
            io:format("RESULT ~s ~w~n", [Id, Res]),
            loop()
    end.

split(Line) ->
    case string:split(Line, " ") of
        [Id, Expr] -> {Id, Expr};
        [Id] -> {Id, "ok."}
    end.

%% collect(To): a process that forwards everything it receives to To
%% (a pid or {Name, Node}) wrapped as {collected, node(), Msg}.
collect(To) ->
    spawn(fun() -> collect_loop(To) end).

collect_loop(To) ->
    receive
        M -> To ! {collected, node(), M}, collect_loop(To)
    end.

%% pg_watch(Scope, Group, To): a process that calls pg:monitor(Scope, Group),
%% sends To {pg_watching, node(), Members} and then every change as
%% {pg_event, node(), join | leave, Group, Pids}.
pg_watch(Scope, Group, To) ->
    spawn(fun() ->
                  {Ref, Members} = pg:monitor(Scope, Group),
                  To ! {pg_watching, node(), Members},
                  pg_watch_loop(Ref, To)
          end).

pg_watch_loop(Ref, To) ->
    receive
        {Ref, Verb, Group, Pids} ->
            To ! {pg_event, node(), Verb, Group, Pids},
            pg_watch_loop(Ref, To)
    end.
