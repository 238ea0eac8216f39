%% BEAM's side of interop/events' fan-out benchmark (bench_test.go):
%% one message to S subscribers spread over 1 or 3 BEAM nodes, broadcast
%% the way Phoenix.PubSub's PG2 adapter does it with OTP's pg: one
%% forward to a pg-joined forwarder on every other node, which sends it to
%% its node's local subscribers (pg:get_local_members, an ETS lookup like
%% Phoenix's Registry dispatch), and the broadcaster's own node's
%% subscribers served directly.
%%
%% The time of one fan-out is from just before the broadcast to the moment
%% the last subscriber received it, both read with os:system_time
%% (CLOCK_REALTIME, shared by every OS process of the machine), so no
%% reply latency is counted: the last subscriber of each node sends its
%% receive time to the broadcaster, which waits for those before the next
%% round.
-module(fanout_beam).
-export([setup/3, run/2, check/2, teardown/2]).
-export([start_node/3, stop_node/1, node_counts/1]).

-define(SCOPE, pg).

%% setup(Nodes, S, Id): this node is hd(Nodes) and broadcasts; subscriber
%% I (0-based) lives on lists:nth(((I+1) rem length(Nodes)) + 1, Nodes),
%% as in the Go harness. Returns the warm-up round's (0) time in ns.
setup(Nodes, S, Id) ->
    Len = length(Nodes),
    Counts = [length([I || I <- lists:seq(0, S - 1), (I + 1) rem Len =:= K]) || K <- lists:seq(0, Len - 1)],
    [ok = erpc:call(N, ?MODULE, start_node, [C, Id, self()]) || {N, C} <- lists:zip(Nodes, Counts)],
    wait_members(Id, Len),
    Active = active(Nodes, Counts),
    persistent_term:put({?MODULE, active, Id}, Active),
    run_round(0, Id, Active).

active(Nodes, Counts) -> length([N || {N, C} <- lists:zip(Nodes, Counts), C > 0]).

wait_members(Id, Len) ->
    case length(pg:get_members(?SCOPE, {fanout_fwd, Id})) of
        Len -> ok;
        _ -> receive after 5 -> wait_members(Id, Len) end
    end.

%% run(Rounds, Id): rounds 1..Rounds; returns the summed fan-out time in ns.
run(Rounds, Id) ->
    Active = persistent_term:get({?MODULE, active, Id}),
    lists:foldl(fun(R, Sum) -> Sum + run_round(R, Id, Active) end, 0, lists:seq(1, Rounds)).

run_round(Round, Id, Active) ->
    T0 = os:system_time(nanosecond),
    broadcast(Id, {fanout, Round}),
    wait_done(Round, Active, T0).

broadcast(Id, Msg) ->
    Self = node(),
    [F ! {forward, Msg} || F <- pg:get_members(?SCOPE, {fanout_fwd, Id}), node(F) =/= Self],
    [P ! Msg || P <- pg:get_local_members(?SCOPE, {fanout_topic, Id})],
    ok.

wait_done(Round, Active, T0) -> wait_done(Round, Active, T0, T0).

wait_done(_Round, 0, T0, Last) -> Last - T0;
wait_done(Round, Active, T0, Last) ->
    receive
        {fanout_done, Round, T} -> wait_done(Round, Active - 1, T0, max(Last, T))
    after 30000 -> exit({fanout_timeout, Round, Active})
    end.

%% check(Nodes, Id): [{Got, Bad}] of every subscriber on every node.
check(Nodes, Id) ->
    lists:append([erpc:call(N, ?MODULE, node_counts, [Id]) || N <- Nodes]).

teardown(Nodes, Id) ->
    [ok = erpc:call(N, ?MODULE, stop_node, [Id]) || N <- Nodes],
    persistent_term:erase({?MODULE, active, Id}),
    ok.

%% start_node(Count, Id, Collector): this node's forwarder and Count
%% subscribers; the last subscriber of a round sends Collector its time.
start_node(Count, Id, Collector) ->
    Ctr = atomics:new(1, []),
    atomics:put(Ctr, 1, Count),
    Subs = [spawn(fun() -> sub(Ctr, Count, Collector, 0, 0) end) || _ <- lists:seq(1, Count)],
    %% One join for all: a join per subscriber would send each to every
    %% other node's scope, which is setup, not the fan-out measured.
    ok = pg:join(?SCOPE, {fanout_topic, Id}, Subs),
    Fwd = spawn(fun() -> fwd(Id) end),
    ok = pg:join(?SCOPE, {fanout_fwd, Id}, Fwd),
    persistent_term:put({?MODULE, procs, Id}, [Fwd | Subs]),
    ok.

fwd(Id) ->
    receive
        {forward, Msg} ->
            [P ! Msg || P <- pg:get_local_members(?SCOPE, {fanout_topic, Id})],
            fwd(Id);
        {count, From} -> From ! {count, self(), fwd}, fwd(Id);
        stop -> ok
    end.

%% Got counts the rounds received; a round other than the next one
%% (a loss or a duplicate) counts as Bad.
sub(Ctr, Local, Collector, Got, Bad) ->
    receive
        {fanout, Round} ->
            case atomics:sub_get(Ctr, 1, 1) of
                0 ->
                    T = os:system_time(nanosecond),
                    atomics:put(Ctr, 1, Local),
                    Collector ! {fanout_done, Round, T};
                _ -> ok
            end,
            Bad1 = if Round =:= Got -> Bad; true -> Bad + 1 end,
            sub(Ctr, Local, Collector, Got + 1, Bad1);
        {count, From} -> From ! {count, self(), {Got, Bad}}, sub(Ctr, Local, Collector, Got, Bad);
        stop -> ok
    end.

%% node_counts(Id): {Got, Bad} of this node's subscribers.
node_counts(Id) ->
    Procs = persistent_term:get({?MODULE, procs, Id}),
    [P ! {count, self()} || P <- Procs],
    [C || C <- [receive {count, P, C} -> C after 30000 -> exit({no_count, P}) end || P <- Procs], C =/= fwd].

stop_node(Id) ->
    Procs = persistent_term:get({?MODULE, procs, Id}),
    Refs = [monitor(process, P) || P <- Procs],
    [P ! stop || P <- Procs],
    [receive {'DOWN', R, process, _, _} -> ok end || R <- Refs],
    persistent_term:erase({?MODULE, procs, Id}),
    ok.
