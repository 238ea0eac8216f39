%% A plain gen_server answering erlgo web requests, for web's tests.
-module(web_erl_worker).
-behaviour(gen_server).
-export([start/0, start_ws/0, init/1, handle_call/3, handle_cast/2]).

start() -> gen_server:start({local, web_erl_worker}, ?MODULE, [], []).

%% start_ws registers web_erl_ws, which answers WebSocket frames
%% forwarded to it by sending commands straight to the connection.
start_ws() ->
    register(web_erl_ws, spawn(fun ws_loop/0)).

ws_loop() ->
    receive
        {websocket, Conn, {text, <<"close">>}} ->
            Conn ! {websocket_close, 4002, <<"erl says bye">>};
        {websocket, Conn, {Type, Data}} ->
            Conn ! {websocket_send, {Type, [<<"erl: ">>, Data]}}
    end,
    ws_loop().

init([]) -> {ok, 0}.

handle_call({web_request, #{path := <<"/crash">>}}, _From, _N) ->
    exit(crashed);
handle_call({web_request, #{path := <<"/stream">>}}, {Pid, _} = From, N) ->
    gen_server:reply(From, {web_stream, 200, [{<<"content-type">>, <<"text/plain">>}]}),
    spawn(fun() ->
        [Pid ! {web_chunk, [<<"part ">>, integer_to_list(I), $\n]} || I <- lists:seq(1, 3)],
        Pid ! web_end
    end),
    {noreply, N};
handle_call({web_request, #{method := M, path := P, query := Q, headers := H, body := B}}, _From, N) ->
    UA = proplists:get_value(<<"user-agent">>, H, <<>>),
    Headers = [{<<"content-type">>, <<"text/plain">>}, {<<"x-erl-count">>, integer_to_binary(N + 1)}],
    {reply, {web_response, 200, Headers, [M, " ", P, "?", Q, " ", B, " ua=", UA]}, N + 1}.

handle_cast(_, N) -> {noreply, N}.
