%% erlgo_soak: the BEAM side of `erlgo soak` (package soak).
%%
%% The Go runner starts an erl node with `-eval 'erlgo_soak:main()'` (and
%% an Elixir node running soak.exs, which calls main/1) and then drives it
%% entirely through gen_server calls to the process registered here as
%% erlgo_soak, over the same distribution connection the soak exercises:
%%
%%   {hello, GoNode}              monitor_node(GoNode) + monitor_nodes; ok
%%   stats                        {GoNodedowns, [Reason], ProcessCount}
%%   {start_rx, Phase, K}         K receivers; {Collector, [Pid | Name]}
%%   {collect, Collector, Ms}     {done | partial, [{Id, N, Got, Reord, Bad}]}
%%   {start_tx, [{Id, To}], N}    one sender per target, N messages each; ok
%%   {call_go, C, M, Srv, GoNode} C callers x M calls into Go; {Calls, Failed, Errs}
%%   {churn_go, W, M, GoNode}     W workers x M remote spawn/link/monitor ops
%%                                against Go; {Ops, Failed, Errs}
%%   spawn_victim                 a fresh process that exits with R on {die, R}
%%
%% Data messages are {soak, PairId, Seq, payload(Seq)} followed by
%% {soak_end, PairId, N}; receivers check sequence and payload. The payload
%% function is mirrored in soak/payload.go.
%%
%% The node halts when stdin closes, so no erl outlives the runner.
-module(erlgo_soak).
-behaviour(gen_server).

-export([main/0, main/1, payload/1, echo/1]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).

-define(T, 30000).          % bound for any single expected event
-define(IDLE, 600000).      % helper processes give up after this

%% ---------------------------------------------------------------- startup

main() -> main(erlgo_soak_echo).

%% main(Echo): Echo is the registered name of the echo gen_server Go calls.
%% soak.exs starts an Elixir GenServer under its name first; on erl it is
%% started here.
main(Echo) ->
    case whereis(Echo) of
        undefined -> {ok, _} = gen_server:start({local, Echo}, ?MODULE, echo, []);
        _ -> ok
    end,
    {ok, _} = gen_server:start({local, erlgo_soak}, ?MODULE, server, []),
    %% The default pg scope (OTP starts it only with -kernel start_pg true),
    %% so pg joins sync with the Go node's scope.
    {ok, _} = pg:start(pg),
    io:format("READY otp=~s node=~s echo=~s~n",
              [erlang:system_info(otp_release), node(), Echo]),
    wait_eof().

%% stdin: EOF halts the node; "connect Node" dials Node (so the Go node
%% also takes connections a BEAM node sets up) and answers
%% "CONNECTED true|false".
wait_eof() ->
    case io:get_line(standard_io, "") of
        eof -> halt(0);
        {error, _} -> halt(0);
        Line ->
            %% Elixir's standard_io is in binary mode, erl's in list mode.
            case string:lexemes(string:trim(unicode:characters_to_list(Line)), " ") of
                ["connect", Node] ->
                    io:format("CONNECTED ~s~n", [net_kernel:connect_node(list_to_atom(Node))]);
                _ -> ok
            end,
            wait_eof()
    end.

%% ---------------------------------------------------------------- gen_server

init(echo) -> {ok, echo};
init(server) -> {ok, #{go => undefined, downs => 0, reasons => []}}.

handle_call(Req, _From, echo) ->
    {reply, Req, echo};
handle_call({hello, GoNode}, _From, S) ->
    true = erlang:monitor_node(GoNode, true),
    ok = net_kernel:monitor_nodes(true, [nodedown_reason]),
    {reply, ok, S#{go := GoNode}};
handle_call(stats, _From, S = #{downs := D, reasons := Rs}) ->
    {reply, {D, lists:reverse(Rs), erlang:system_info(process_count)}, S};
handle_call({start_rx, Phase, K}, _From, S) ->
    Coll = spawn(fun() -> collector(K, [], undefined, infinity) end),
    Targets = [rx_start(Coll, Phase, Id) || Id <- lists:seq(1, K)],
    {reply, {Coll, Targets}, S};
handle_call({collect, Coll, Ms}, From, S) ->
    Coll ! {collect, From, Ms},
    {noreply, S};
handle_call({start_tx, Targets, N}, _From, S) ->
    [spawn(fun() -> tx(To, Id, 0, N) end) || {Id, To} <- Targets],
    {reply, ok, S};
handle_call({call_go, C, M, Srv, GoNode}, From, S) ->
    spawn(fun() -> gather(From, C, fun(Id) -> caller(Id, M, Srv, GoNode, 0, 0, []) end) end),
    {noreply, S};
handle_call({churn_go, W, M, GoNode}, From, S) ->
    spawn(fun() -> gather(From, W, fun(Id) -> churner(Id, M, GoNode, 0, 0, []) end) end),
    {noreply, S};
handle_call(spawn_victim, _From, S) ->
    {reply, spawn(fun victim/0), S};
handle_call(Other, _From, S) ->
    {reply, {error, {bad_request, Other}}, S}.

handle_cast(_, S) -> {noreply, S}.

%% monitor_node's {nodedown, Go} is what is counted; monitor_nodes'
%% {nodedown, Node, Info} carries the reason. The monitor_node subscription
%% is used up by its nodedown, so it is re-armed when the Go node is back.
handle_info({nodedown, Go}, S = #{go := Go, downs := D}) ->
    {noreply, S#{downs := D + 1}};
handle_info({nodedown, Node, Info}, S = #{reasons := Rs}) ->
    R = proplists:get_value(nodedown_reason, Info),
    {noreply, S#{reasons := [iolist_to_binary(io_lib:format("~s: ~0p", [Node, R])) | Rs]}};
handle_info({nodeup, Go, _}, S = #{go := Go}) ->
    erlang:monitor_node(Go, true),
    {noreply, S};
handle_info(_, S) ->
    {noreply, S}.

%% echo/1 is what Go calls over rpc (interop.RPC -> rex -> erpc).
echo(X) -> X.

%% ---------------------------------------------------------------- payload

payload(Seq) ->
    case Seq rem 8 of
        0 -> Seq;
        1 -> binary:copy(<<(Seq rem 256)>>, Seq rem 1000);
        2 -> {Seq, soak, [a, b, 1000]};
        3 -> #{seq => Seq, tag => <<"soak">>};
        4 -> -(Seq + (1 bsl 70));
        5 -> Seq * 0.5;
        6 -> [Seq, {}, <<>>];
        7 when Seq rem 512 =:= 7 -> binary:copy(<<(Seq rem 256)>>, 100000);
        7 -> {Seq}
    end.

%% ---------------------------------------------------------------- bursts

%% Even pair ids are addressed by pid, odd ones by registered name, so both
%% SEND and REG_SEND carry the burst.
rx_start(Coll, Phase, Id) ->
    Pid = spawn(fun() -> rx(Coll, Id, 0, 0, 0, 0) end),
    case Id rem 2 of
        0 -> Pid;
        1 ->
            Name = list_to_atom(lists:flatten(io_lib:format("soak_rx_~w_~w", [Phase, Id]))),
            true = register(Name, Pid),
            Name
    end.

rx(Coll, Id, Next, Got, Reord, Bad) ->
    receive
        {soak, Id, Seq, P} ->
            Bad1 = case P =:= payload(Seq) of true -> Bad; false -> Bad + 1 end,
            if
                Seq >= Next -> rx(Coll, Id, Seq + 1, Got + 1, Reord, Bad1);
                true -> rx(Coll, Id, Next, Got + 1, Reord + 1, Bad1)
            end;
        {soak_end, Id, N} ->
            Coll ! {rx_done, {Id, N, Got, Reord, Bad}};
        _ ->
            rx(Coll, Id, Next, Got, Reord, Bad + 1)
    after ?IDLE -> ok
    end.

collector(K, Acc, From, _) when From =/= undefined, length(Acc) =:= K ->
    gen_server:reply(From, {done, Acc});
collector(K, Acc, From, Deadline) ->
    Wait = case Deadline of
               infinity -> ?IDLE;
               _ -> max(0, Deadline - erlang:monotonic_time(millisecond))
           end,
    receive
        {rx_done, R} -> collector(K, [R | Acc], From, Deadline);
        {collect, F, Ms} -> collector(K, Acc, F, erlang:monotonic_time(millisecond) + Ms)
    after Wait ->
        case From of
            undefined -> ok;
            _ -> gen_server:reply(From, {partial, Acc})
        end
    end.

tx(To, Id, N, N) ->
    To ! {soak_end, Id, N};
tx(To, Id, Seq, N) ->
    To ! {soak, Id, Seq, payload(Seq)},
    tx(To, Id, Seq + 1, N).

%% ---------------------------------------------------------------- calls into Go

%% gather runs Fun(Id) for Id in 1..C in parallel; each returns
%% {Ops, Failed, Errs}; the sums go to From.
gather(From, C, Fun) ->
    Self = self(),
    Pids = [spawn(fun() -> Self ! {done, self(), Fun(Id)} end) || Id <- lists:seq(1, C)],
    Rs = [receive {done, P, R} -> R after ?IDLE -> {0, 1, [<<"worker timeout">>]} end || P <- Pids],
    {Ops, Failed, Errs} = lists:foldl(fun({O, F, E}, {O0, F0, E0}) -> {O0 + O, F0 + F, E0 ++ E} end,
                                      {0, 0, []}, Rs),
    gen_server:reply(From, {Ops, Failed, lists:sublist(Errs, 5)}).

%% Calls alternate between gen_server:call to the Go actor and erpc:call
%% of a Go function (a remote spawn per call on the Go node).
caller(_, M, _, _, M, Failed, Errs) ->
    {M, Failed, Errs};
caller(Id, M, Srv, GoNode, I, Failed, Errs) ->
    Req = {echo, Id, I, payload(I)},
    Res = try
              case I rem 2 of
                  0 -> gen_server:call(Srv, Req, ?T);
                  1 -> erpc:call(GoNode, soak_go, echo, [Req], ?T)
              end
          catch C:R -> {caught, C, R}
          end,
    case Res of
        Req -> caller(Id, M, Srv, GoNode, I + 1, Failed, Errs);
        Other -> caller(Id, M, Srv, GoNode, I + 1, Failed + 1, add_err({call, I rem 2, Other}, Errs))
    end.

add_err(E, Errs) when length(Errs) < 3 ->
    Errs ++ [iolist_to_binary(io_lib:format("~P", [E, 12]))];
add_err(_, Errs) -> Errs.

%% ---------------------------------------------------------------- churn against Go

churner(_, M, _, M, Failed, Errs) ->
    %% Anything left is a signal that should not have come (a DOWN for a
    %% flushed monitor, an EXIT after unlink).
    receive
        Left -> {M, Failed + 1, add_err({unexpected, Left}, Errs)}
    after 200 -> {M, Failed, Errs}
    end;
churner(Id, M, GoNode, I, Failed, Errs) ->
    process_flag(trap_exit, true),
    R = {soak_die, Id, I},
    case catch churn_one(I rem 7, GoNode, R, {Id, I}) of
        ok -> churner(Id, M, GoNode, I + 1, Failed, Errs);
        E -> churner(Id, M, GoNode, I + 1, Failed + 1, add_err({churn, I rem 7, E}, Errs))
    end.

churn_one(0, GoNode, R, _) ->
    Pid = spawn_link(GoNode, soak_go, victim, []),
    Ref = monitor(process, Pid),
    Pid ! {die, R},
    expect_exit(Pid, R),
    expect_down(Ref, Pid, [R]);
churn_one(1, GoNode, R, _) ->
    {Pid, Ref} = spawn_monitor(GoNode, soak_go, victim, []),
    exit(Pid, R),
    expect_down(Ref, Pid, [R]);
churn_one(2, GoNode, R, _) ->
    Pid = spawn_link(GoNode, soak_go, victim, []),
    true = unlink(Pid),
    Ref = monitor(process, Pid),
    Ref2 = monitor(process, Pid),
    true = demonitor(Ref2, [flush]),
    Pid ! {die, R},
    expect_down(Ref, Pid, [R]);
churn_one(3, GoNode, _, {_, I}) ->
    Self = self(),
    Pid = spawn(GoNode, soak_go, hello, [Self, I]),
    receive {hello, I, Pid} -> ok after ?T -> throw({timeout, hello}) end,
    Ref = monitor(process, Pid),
    expect_down(Ref, Pid, [normal, noproc]);
churn_one(4, _, _, {Id, I}) ->
    %% global takes its lock on every node, the Go node included.
    Name = {soak_global, node(), Id, I},
    yes = global:register_name(Name, self()),
    Self = self(),
    Self = global:whereis_name(Name),
    _ = global:unregister_name(Name),
    undefined = global:whereis_name(Name),
    ok;
churn_one(5, _, _, _) ->
    ok = pg:join(soak_group, self()),
    true = lists:member(self(), pg:get_members(soak_group)),
    ok = pg:leave(soak_group, self()),
    ok;
churn_one(6, GoNode, _, _) ->
    %% Monitor by name across the connection, then a flushed demonitor:
    %% no DOWN may follow.
    Ref = monitor(process, {soak_echo, GoNode}),
    true = demonitor(Ref, [flush]),
    ok.

expect_exit(Pid, R) ->
    receive
        {'EXIT', Pid, R} -> ok;
        {'EXIT', Pid, Other} -> throw({exit_reason, Other})
    after ?T -> throw({timeout, exit})
    end.

expect_down(Ref, Pid, Rs) ->
    receive
        {'DOWN', Ref, process, Pid, X} ->
            case lists:member(X, Rs) of
                true -> ok;
                false -> throw({down_reason, X})
            end
    after ?T -> throw({timeout, down})
    end.

victim() ->
    receive {die, R} -> exit(R)
    after ?IDLE -> exit(victim_timeout)
    end.
