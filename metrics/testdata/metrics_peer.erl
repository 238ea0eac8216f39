%% A real erl peer for the metrics tests, driven line by line on stdin:
%%   connect      -> net_kernel:connect_node(GoNode), prints "connect true|false"
%%                   (not net_adm:ping: it asks the peer's net_kernel, and a
%%                   bare Go node runs no services)
%%   send N       -> N messages {msg, I} to {sink, GoNode}, prints "sent N"
%%   disconnect   -> erlang:disconnect_node(GoNode), prints "disconnected"
%% It prints "ready" first and halts at end of input.
-module(metrics_peer).
-export([start/1]).

start([GoNode]) ->
    io:format("ready~n"),
    loop(GoNode).

loop(Go) ->
    case io:get_line("") of
        eof ->
            halt();
        Line ->
            command(string:lexemes(string:trim(Line), " "), Go),
            loop(Go)
    end.

command(["connect"], Go) ->
    io:format("connect ~p~n", [net_kernel:connect_node(Go)]);
command(["send", N], Go) ->
    Count = list_to_integer(N),
    [{sink, Go} ! {msg, I} || I <- lists:seq(1, Count)],
    io:format("sent ~p~n", [Count]);
command(["disconnect"], Go) ->
    io:format("disconnected ~p~n", [erlang:disconnect_node(Go)]);
command(Other, _Go) ->
    io:format("unknown ~p~n", [Other]).
