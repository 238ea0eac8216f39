%% A BEAM node for the discovery tests: prints "ready", then one line per
%% nodeup/nodedown (with nodes() at that moment), and answers commands read
%% from stdin one per line. Halts when stdin closes.
-module(discovery_peer).
-export([start/0]).

start() ->
    ok = io:setopts(standard_io, [{encoding, unicode}]),
    ok = net_kernel:monitor_nodes(true),
    Main = self(),
    spawn_link(fun() -> read(Main) end),
    io:format("ready~n"),
    loop().

read(Main) ->
    case io:get_line("") of
        eof -> erlang:halt(0);
        {error, _} -> erlang:halt(0);
        Line -> Main ! {cmd, string:trim(Line)}, read(Main)
    end.

loop() ->
    receive
        {nodeup, N} ->
            io:format("nodeup ~s nodes=~s~n", [N, names(nodes())]);
        {nodedown, N} ->
            io:format("nodedown ~s~n", [N]);
        {cmd, Cmd} ->
            command(Cmd)
    end,
    loop().

command("nodes") ->
    io:format("nodes ~s~n", [names(nodes())]);
command("world") ->
    io:format("world ~s~n", [names(catch net_adm:world())]);
command("world_list " ++ Hosts) ->
    L = [list_to_atom(H) || H <- string:lexemes(Hosts, " ")],
    io:format("world ~s~n", [names(net_adm:world_list(L))]);
command("consult " ++ Path) ->
    case file:consult(Path) of
        {ok, Terms} ->
            case lists:all(fun is_atom/1, Terms) of
                true -> io:format("hosts ~tw~n", [Terms]);
                false -> io:format("nonatoms~n")
            end;
        {error, _} -> io:format("error~n")
    end;
command("bench_consult " ++ Args) ->
    [Path, N] = string:lexemes(Args, " "),
    [{ok, _} = file:consult(Path) || _ <- lists:seq(1, list_to_integer(N))],
    io:format("done~n");
command("bench_world " ++ Args) ->
    [N | Hosts] = string:lexemes(Args, " "),
    L = [list_to_atom(H) || H <- Hosts],
    lists:foreach(fun(_) ->
                          Found = net_adm:world_list(L),
                          [erlang:disconnect_node(F) || F <- Found]
                  end, lists:seq(1, list_to_integer(N))),
    io:format("done~n");
command("disconnect " ++ N) ->
    io:format("disconnect ~w~n", [erlang:disconnect_node(list_to_atom(N))]);
command(Other) ->
    io:format("unknown ~s~n", [Other]).

%% names prints atoms as a space-separated list (quoted with ~w when
%% needed, so a host with odd characters stays one word), sorted.
names(L) when is_list(L) ->
    lists:join(" ", [io_lib:format("~w", [A]) || A <- lists:sort(L)]);
names(Other) ->
    io_lib:format("~w", [Other]).
