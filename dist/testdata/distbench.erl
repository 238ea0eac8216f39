%% Throughput workloads for dist's benchmarks (flood-int: the integer 42).
-module(distbench).
-export([beam_to_beam/2, flood_to/3, sink/2]).

%% beam_to_beam(Peer, N): spawn a counting receiver on Peer, send it N
%% messages over the one connection, print messages/s seen by the receiver.
beam_to_beam(Peer, N) ->
    Self = self(),
    R = spawn(Peer, ?MODULE, sink, [Self, N]),
    T0 = erlang:monotonic_time(microsecond),
    send_n(R, N),
    receive {done, N} -> ok end,
    T1 = erlang:monotonic_time(microsecond),
    io:format("RATE ~p~n", [N * 1000000 div max(1, T1 - T0)]).

%% flood_to(Dest, N, Tag): send N messages of 42 to Dest, then Tag.
flood_to(Dest, N, Tag) ->
    send_n(Dest, N),
    Dest ! Tag,
    io:format("FLOODED~n").

send_n(_, 0) -> ok;
send_n(R, N) -> R ! 42, send_n(R, N - 1).

%% sink(Parent, N): receive N messages, then tell Parent.
sink(Parent, N) -> sink_loop(N), Parent ! {done, N}.

sink_loop(0) -> ok;
sink_loop(N) -> receive _ -> sink_loop(N - 1) end.
