%% BEAM half of erlgo's partition tests: the same line protocol as the Go
%% agent (agent_test.go), so the test drives both kinds of node alike.
%%
%% stdin:  "Id Cmd Arg..."            one command a line
%% stdout: "READY Node"               once, when pt_srv runs
%%         "RESULT Id Text"           the answer to command Id
%%         "EVENT Kind Peer Ms Text"  something a probe saw (Ms: OS time in ms)
%%
%% Every line is printed with ~w so that it never spans lines.
-module(ptest).
-export([main/0]).

main() ->
    register(pt_srv, spawn(fun() -> process_flag(trap_exit, true), srv() end)),
    io:format("READY ~s~n", [node()]),
    loop().

loop() ->
    case io:get_line('') of
        eof -> erlang:halt(0);
        {error, _} -> erlang:halt(0);
        Line ->
            [Id | Words] = string:lexemes(string:trim(unicode:characters_to_list(Line)), " "),
            %% Commands run in their own process: a probe waits for the
            %% peer, and stdin must keep flowing meanwhile.
            spawn(fun() ->
                          Res = try cmd(Words)
                                catch C:R -> {error, {C, R}}
                                end,
                          io:format("RESULT ~s ~w~n", [Id, Res])
                  end),
            loop()
    end.

now_ms() -> os:system_time(millisecond).

event(Kind, Peer, Detail) ->
    io:format("EVENT ~s ~s ~w ~w~n", [Kind, Peer, now_ms(), Detail]).

%% pt_srv: answers pid and {echo, X}; never answers {hold, W} but tells W
%% that the call arrived, so the caller's test knows it is pending.
srv() ->
    receive
        {'$gen_call', From, pid} -> gen_server:reply(From, self());
        {'$gen_call', From, {echo, X}} -> gen_server:reply(From, X);
        {'$gen_call', _From, {hold, W}} -> W ! {holding, node()};
        _ -> ok
    end,
    srv().

peer(P) -> list_to_atom(P).

cmd(["probe", P]) ->
    Peer = peer(P),
    Self = self(),
    W = spawn(fun() -> watcher(Peer, Self) end),
    receive
        {W, ready} -> ok;
        {W, Err} -> Err
    after 20000 -> exit(W, kill), probe_timeout
    end;
cmd(["call", P]) ->
    T0 = erlang:monotonic_time(microsecond),
    ping = gen_server:call({pt_srv, peer(P)}, {echo, ping}, 15000),
    {ok, (erlang:monotonic_time(microsecond) - T0) div 1000};
cmd(["nodes"]) -> lists:sort(nodes());
cmd(["greg", N]) ->
    Name = list_to_atom(N),
    Holder = spawn(fun() -> receive stop -> ok end end),
    spawn(fun() ->
                  Ref = monitor(process, Holder),
                  receive {'DOWN', Ref, _, _, R} -> event(gdown, N, R) end
          end),
    global:register_name(Name, Holder);
cmd(["gsync"]) -> global:sync();
cmd(["gwhere", N]) ->
    case global:whereis_name(list_to_atom(N)) of
        undefined -> undefined;
        Pid -> node(Pid)
    end;
cmd(["pgjoin", G]) ->
    Member = spawn(fun() -> receive stop -> ok end end),
    pg:join(list_to_atom(G), Member);
cmd(["pgnodes", G]) ->
    lists:usort([node(M) || M <- pg:get_members(list_to_atom(G))]).

%% watcher: links, monitors, monitor_node and one pending call towards
%% Peer's pt_srv; reports ready to Parent, then every signal as an EVENT.
watcher(Peer, Parent) ->
    process_flag(trap_exit, true),
    Target = gen_server:call({pt_srv, Peer}, pid, 10000),
    link(Target),
    monitor(process, Target),
    monitor_node(Peer, true),
    W = self(),
    spawn(fun() ->
                  R = try gen_server:call({pt_srv, Peer}, {hold, W}, infinity)
                      catch exit:{Reason, _} -> Reason
                      end,
                  event(call, Peer, R)
          end),
    receive
        {holding, Peer} -> Parent ! {W, ready}
    after 10000 -> Parent ! {W, hold_not_seen}
    end,
    watch(Peer).

watch(Peer) ->
    receive
        {'EXIT', _, R} -> event(link, Peer, R);
        {'DOWN', _, process, _, R} -> event(monitor, Peer, R);
        {nodedown, Peer} -> event(nodedown, Peer, nodedown)
    end,
    watch(Peer).
