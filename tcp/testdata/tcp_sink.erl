%% A registered process that prints the tcp messages a Go node forwards
%% to it, for erlgo's tcp tests: "ready" once registered, then one line
%% per message ("tcp <Data> <node of Socket>", "closed <node>") and per
%% node event ("nodeup <node>", "nodedown <node>").
-module(tcp_sink).
-export([start/0]).

start() ->
    register(sink, self()),
    ok = net_kernel:monitor_nodes(true),
    io:format("ready~n"),
    loop().

loop() ->
    receive
        {tcp, S, Data} when is_pid(S), is_binary(Data) ->
            io:format("tcp ~s ~s~n", [string:trim(Data), node(S)]);
        {tcp_closed, S} when is_pid(S) ->
            io:format("closed ~s~n", [node(S)]);
        {nodeup, N} ->
            io:format("nodeup ~s~n", [N]);
        {nodedown, N} ->
            io:format("nodedown ~s~n", [N]);
        Other ->
            io:format("other ~p~n", [Other])
    end,
    loop().
