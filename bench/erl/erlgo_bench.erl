%% erlgo_bench: the BEAM side of `erlgo bench`.
%%
%% The Go runner starts an erl node with `-eval 'erlgo_bench:serve()'` and
%% drives it over stdin/stdout, one command per line:
%%
%%   run Workload Pairs N Target      Target = local | a node name
%%   run Shape 1 N Target Count Bytes N round trips of a shape (see shape/5)
%%   ping                             answers PONG
%%   connect Node                     connects to Node, answers PONG
%%   term                             prints term_to_binary of the etf-term term as hex
%%   quit                             halts the node
%%
%% Each run prints exactly one line, either
%%
%%   RESULT workload=flood-int pairs=1 n=100000 ns=123456 [p50=.. p90=.. p99=..] [bytes_per_proc=..]
%%
%% or `ERROR <reason>`. When Target is a node name, the receivers (flood) or
%% echo servers (call) live on that node, spawned by the process registered
%% there as erlgo_bench (see peer/0); a Go node answers the same protocol,
%% so one driver measures BEAM<->BEAM and BEAM->Go alike:
%%
%%   {spawn_receivers, From, Pairs, N}  -> From ! {receivers, [Pid]}; each
%%                                         Pid counts N messages, then sends
%%                                         From ! {done, Pid}
%%   {spawn_echo, From, Pairs}          -> From ! {echoes, [Pid]}; each Pid
%%                                         answers gen_server:call(Pid, X)
%%                                         with X and stops on the message stop
%%
%% When stdin closes (the runner died) the node halts, so no erl outlives
%% the runner.
-module(erlgo_bench).
-behaviour(gen_server).

-export([serve/0, peer/0, run/4, receiver/2, echo_start/0, echo/1]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).

-define(TIMEOUT, 120000).

%% ---------------------------------------------------------------- driver

serve() ->
    io:format("READY otp=~s node=~s~n", [erlang:system_info(otp_release), node()]),
    serve_loop().

serve_loop() ->
    case io:get_line(standard_io, "") of
        eof -> halt(0);
        {error, _} -> halt(0);
        Line ->
            case string:lexemes(string:trim(Line), " ") of
                ["quit"] -> halt(0);
                ["ping"] -> io:format("PONG~n");
                ["connect", Node] -> connect(list_to_atom(Node));
                ["term"] -> io:format("RESULT workload=term hex=~s~n", [binary:encode_hex(encode(term()))]);
                ["run", W, P, N, T] -> run_print(W, list_to_integer(P), list_to_integer(N), T);
                ["run", W, P, N, T, C, B] ->
                    run_print(W, list_to_integer(P), list_to_integer(N), T,
                              {list_to_integer(C), list_to_integer(B)});
                Other -> io:format("ERROR bad_command ~0p~n", [Other])
            end,
            serve_loop()
    end.

%% connect uses net_kernel:connect_node/1, not net_adm:ping/1: ping also
%% calls the peer's net_kernel process, which a bare Go node need not run.
connect(Node) ->
    case net_kernel:connect_node(Node) of
        true -> io:format("PONG~n");
        _ -> io:format("ERROR pang ~s~n", [Node])
    end.

run_print(W, P, N, T) -> run_print(W, P, N, T, none).

run_print(W, P, N, T, Size) ->
    Target = case T of "local" -> local; _ -> list_to_atom(T) end,
    try run_sized(W, P, N, Target, Size) of
        KVs ->
            Fields = [io_lib:format(" ~s=~w", [K, V]) || {K, V} <- KVs],
            io:format("RESULT workload=~s pairs=~w n=~w~s~n", [W, P, N, Fields])
    catch
        C:R -> io:format("ERROR ~0p:~0p~n", [C, R])
    end.

run_sized(W, P, N, Target, none) -> run(W, P, N, Target);
run_sized("shape-" ++ _ = W, 1, N, Target, {C, B}) -> shape(W, N, Target, C, B);
run_sized(W, _, _, T, _) -> error({unsupported, W, T}).

%% run(Workload, Pairs, N, Target) -> [{Key, Value}], ns always first.
run("flood-int", P, N, T) -> flood(int, P, N, T);
run("flood-pidint", P, N, T) -> flood(pidint, P, N, T);
run("flood-bin1k", P, N, T) -> flood(bin1k, P, N, T);
run("msg-16k", P, N, T) -> flood(bin16k, P, N, T);
run("msg-1m", P, N, T) -> flood(bin1m, P, N, T);
run("call", P, N, T) -> call(P, N, T);
run("idle-memory", _P, N, local) -> idle_memory(N);
run("etf-encode", _P, N, local) -> etf_encode(N);
run("etf-decode", _P, N, local) -> etf_decode(N);
run(W, _, _, T) -> error({unsupported, W, T}).

%% ---------------------------------------------------------------- flood

flood(Kind, P, N, Target) ->
    Rx = receivers(Target, P, N),
    Senders = [spawn_link(fun() -> sender(Kind, R, N) end) || R <- Rx],
    T0 = erlang:monotonic_time(nanosecond),
    [S ! go || S <- Senders],
    wait_done(Rx),
    T1 = erlang:monotonic_time(nanosecond),
    [{ns, T1 - T0}].

receivers(local, P, N) ->
    Self = self(),
    [spawn_link(?MODULE, receiver, [Self, N]) || _ <- lists:seq(1, P)];
receivers(Node, P, N) ->
    {?MODULE, Node} ! {spawn_receivers, self(), P, N},
    receive {receivers, Pids} -> Pids
    after ?TIMEOUT -> error({no_receivers, Node})
    end.

wait_done([]) -> ok;
wait_done([R | Rs]) ->
    receive {done, R} -> wait_done(Rs)
    after ?TIMEOUT -> error({receiver_timeout, R})
    end.

sender(Kind, To, N) ->
    Msg = case Kind of
              int -> 42;
              pidint -> {self(), 42};
              bin1k -> binary:copy(<<"x">>, 1024);
              bin16k -> binary:copy(<<"x">>, 16384);
              bin1m -> binary:copy(<<"x">>, 1048576)
          end,
    receive go -> ok end,
    send_loop(To, Msg, N).

send_loop(_, _, 0) -> ok;
send_loop(To, Msg, K) -> To ! Msg, send_loop(To, Msg, K - 1).

receiver(Coord, N) -> receive_loop(Coord, N).

receive_loop(Coord, 0) -> Coord ! {done, self()};
receive_loop(Coord, K) -> receive _ -> receive_loop(Coord, K - 1) end.

%% ---------------------------------------------------------------- call

call(P, N, Target) ->
    Self = self(),
    Servers = echoes(Target, P),
    Callers = [spawn_link(fun() -> caller(Self, S, N) end) || S <- Servers],
    T0 = erlang:monotonic_time(nanosecond),
    [C ! go || C <- Callers],
    Lats = lists:append([receive {lats, C, L} -> L after ?TIMEOUT -> error(caller_timeout) end
                         || C <- Callers]),
    T1 = erlang:monotonic_time(nanosecond),
    [S ! stop || S <- Servers],
    Sorted = list_to_tuple(lists:sort(Lats)),
    [{ns, T1 - T0}, {p50, pct(Sorted, 50)}, {p90, pct(Sorted, 90)}, {p99, pct(Sorted, 99)}].

%% pct: nearest-rank percentile of a sorted tuple (same rule as bench.Percentile).
pct(T, Q) ->
    Len = tuple_size(T),
    Rank = max(1, min(Len, ceil_div(Q * Len, 100))),
    element(Rank, T).

ceil_div(A, B) -> (A + B - 1) div B.

echoes(local, P) -> [echo_start() || _ <- lists:seq(1, P)];
echoes(Node, P) ->
    {?MODULE, Node} ! {spawn_echo, self(), P},
    receive {echoes, Pids} -> Pids
    after ?TIMEOUT -> error({no_echoes, Node})
    end.

caller(Coord, Server, N) ->
    receive go -> ok end,
    Coord ! {lats, self(), call_loop(Server, N, [])}.

call_loop(_, 0, Acc) -> Acc;
call_loop(S, K, Acc) ->
    T0 = erlang:monotonic_time(nanosecond),
    42 = gen_server:call(S, 42, ?TIMEOUT),
    T1 = erlang:monotonic_time(nanosecond),
    call_loop(S, K - 1, [T1 - T0 | Acc]).

echo_start() ->
    {ok, Pid} = gen_server:start(?MODULE, [], []),
    Pid.

init([]) -> {ok, nostate}.
handle_call(X, _From, S) -> {reply, X, S}.
handle_cast(_, S) -> {noreply, S}.
handle_info(stop, S) -> {stop, normal, S};
handle_info(_, S) -> {noreply, S}.

%% ---------------------------------------------------------------- shapes

%% shape(Shape, N, Target, Count, Bytes): N round trips of a big term, or
%% of a batch of Count concurrent calls, through one echo server on Target
%% (a gen_server here, an echo actor on a Go node). ns sums the round
%% trips only: building the term and comparing the reply with it are not
%% timed (for the concurrent shapes each caller compares its own small
%% reply, or its 10 MiB binary, before it reports).
shape(W, N, Target, C, B) ->
    [Srv] = echoes(Target, 1),
    Node = case Target of local -> node(); _ -> Target end,
    F = shape_fun(W, Srv, Node, C, B),
    try [{ns, shape_loop(F, N, 0)}]
    after Srv ! stop
    end.

shape_loop(_, 0, Ns) -> Ns;
shape_loop(F, K, Ns) -> shape_loop(F, K - 1, Ns + F()).

shape_fun("shape-bins1000x10k", S, _, C, B) ->
    one_call(S, [binary:copy(<<(I rem 256)>>, B) || I <- lists:seq(1, C)]);
shape_fun("shape-map50k", S, _, C, _) ->
    one_call(S, maps:from_list([{I, I} || I <- lists:seq(1, C)]));
shape_fun("shape-tuples200k", S, _, C, _) ->
    one_call(S, [{ok, I} || I <- lists:seq(1, C)]);
shape_fun("shape-bin10m-x3", S, _, C, B) ->
    Bin = binary:copy(<<"x">>, B),
    concurrent(C, fun(_) -> Bin =:= gen_server:call(S, Bin, ?TIMEOUT) end);
shape_fun("shape-echo40k", S, _, C, _) ->
    concurrent(C, fun(I) -> I =:= gen_server:call(S, I, ?TIMEOUT) end);
shape_fun("shape-exgencall20k", S, _, C, _) ->
    concurrent(C, fun(I) -> I =:= 'Elixir.GenServer':call(S, I, ?TIMEOUT) end);
shape_fun("shape-erpc32k", _, Node, C, _) ->
    concurrent(C, fun(I) -> I =:= erpc:call(Node, ?MODULE, echo, [I], ?TIMEOUT) end);
shape_fun(W, _, _, _, _) -> error({unsupported, W}).

%% echo/1 is what shape-erpc32k calls; a Go node registers its twin.
echo(X) -> X.

%% one_call: a fun that makes one timed call with Term and checks the reply
%% afterwards (a mismatch must not print a 10 MB term, hence no badmatch).
one_call(S, Term) ->
    fun() ->
        T0 = erlang:monotonic_time(nanosecond),
        R = gen_server:call(S, Term, ?TIMEOUT),
        T1 = erlang:monotonic_time(nanosecond),
        R =:= Term orelse error(bad_echo),
        T1 - T0
    end.

%% concurrent: a fun that runs C callers at once, F(I) for I in 1..C, and
%% times from the first spawn to the last caller's report.
concurrent(C, F) ->
    fun() ->
        Self = self(),
        Ref = make_ref(),
        T0 = erlang:monotonic_time(nanosecond),
        spawn_callers(Self, Ref, F, C),
        Failed = collect(Ref, C, 0),
        T1 = erlang:monotonic_time(nanosecond),
        Failed =:= 0 orelse error({failed_calls, Failed, C}),
        T1 - T0
    end.

spawn_callers(_, _, _, 0) -> ok;
spawn_callers(Coord, Ref, F, I) ->
    spawn(fun() -> Coord ! {Ref, try F(I) catch _:_ -> false end} end),
    spawn_callers(Coord, Ref, F, I - 1).

collect(_, 0, Failed) -> Failed;
collect(Ref, K, Failed) ->
    receive
        {Ref, true} -> collect(Ref, K - 1, Failed);
        {Ref, _} -> collect(Ref, K - 1, Failed + 1)
    after ?TIMEOUT -> error({shape_timeout, K})
    end.

%% ---------------------------------------------------------------- idle-memory

%% idle_memory spawns N processes that wait in receive without keeping their
%% pids (a pid list would sit on this process's heap and count as process
%% memory), GCs them all, and reports the erlang:memory(processes) delta.
idle_memory(N) ->
    Before = maps:from_list([{Pid, true} || Pid <- processes()]),
    garbage_collect(),
    M0 = erlang:memory(processes),
    spawn_idle(N),
    gc_others(Before),
    garbage_collect(),
    M1 = erlang:memory(processes),
    kill_others(Before),
    [{ns, 0}, {bytes_per_proc, (M1 - M0) div N}, {procs, N}].

spawn_idle(0) -> ok;
spawn_idle(K) -> spawn(fun idle/0), spawn_idle(K - 1).

idle() -> receive stop -> ok end.

gc_others(Before) ->
    {Pid, Ref} = spawn_monitor(fun() ->
        [garbage_collect(P) || P <- processes(), not maps:is_key(P, Before)]
    end),
    receive {'DOWN', Ref, process, Pid, _} -> ok end.

kill_others(Before) ->
    Others = [P || P <- processes(), not maps:is_key(P, Before)],
    Refs = [monitor(process, P) || P <- Others],
    [exit(P, kill) || P <- Others],
    [receive {'DOWN', R, process, _, _} -> ok end || R <- Refs],
    ok.

%% ---------------------------------------------------------------- etf-term

%% encode uses minor_version 2 (UTF-8 atoms, the OTP 26+ default and what
%% the distribution sends): byte for byte what etf.Encode produces, so both
%% sides do the same work.
encode(T) -> term_to_binary(T, [{minor_version, 2}]).

%% The representative term of the shared workloads.
term() ->
    {user, 12345, binary:copy(<<"b">>, 100), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
     #{name => <<"alice">>, age => 30, admin => true, tags => [a, b, c], score => 1.5}}.

etf_encode(N) ->
    T = term(),
    T0 = erlang:monotonic_time(nanosecond),
    Sz = encode_loop(T, N, 0),
    T1 = erlang:monotonic_time(nanosecond),
    [{ns, T1 - T0}, {bytes, Sz div N}].

encode_loop(_, 0, Acc) -> Acc;
encode_loop(T, K, Acc) -> encode_loop(T, K - 1, Acc + byte_size(encode(T))).

etf_decode(N) ->
    B = encode(term()),
    T0 = erlang:monotonic_time(nanosecond),
    ok = decode_loop(B, N),
    T1 = erlang:monotonic_time(nanosecond),
    [{ns, T1 - T0}, {bytes, byte_size(B)}].

decode_loop(_, 0) -> ok;
decode_loop(B, K) ->
    {user, _, _, _, _} = binary_to_term(B),
    decode_loop(B, K - 1).

%% ---------------------------------------------------------------- peer

%% peer runs on the receiving node of a loopback pairing: it registers the
%% spawner and halts when stdin closes.
peer() ->
    Spawner = spawn(fun spawner/0),
    register(?MODULE, Spawner),
    io:format("READY otp=~s node=~s~n", [erlang:system_info(otp_release), node()]),
    wait_eof().

wait_eof() ->
    case io:get_line(standard_io, "") of
        eof -> halt(0);
        {error, _} -> halt(0);
        _ -> wait_eof()
    end.

spawner() ->
    receive
        {spawn_receivers, From, P, N} ->
            From ! {receivers, [spawn(?MODULE, receiver, [From, N]) || _ <- lists:seq(1, P)]};
        {spawn_echo, From, P} ->
            From ! {echoes, [echo_start() || _ <- lists:seq(1, P)]};
        _ -> ok
    end,
    spawner().
