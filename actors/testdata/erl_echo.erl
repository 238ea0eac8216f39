%% A plain gen_server the Go tests call from Go (actors/erl_test.go).
-module(erl_echo).
-behaviour(gen_server).
-export([start/0, init/1, handle_call/3, handle_cast/2, handle_info/2]).

start() -> gen_server:start({local, erl_echo}, ?MODULE, [], []).

init([]) -> {ok, 0}.

handle_call({echo, X}, _From, S) -> {reply, X, S + 1};
handle_call({sleep, Ms}, _From, S) -> timer:sleep(Ms), {reply, slept, S};
handle_call(get_user, _From, S) ->
    {reply, #{name => <<"alice">>, age => 30, roles => [<<"admin">>]}, S};
handle_call(stop, _From, S) -> {stop, normal, ok, S};
handle_call(ping, _From, S) -> {reply, pong, S}.

handle_cast(_Msg, S) -> {noreply, S}.

handle_info(_Msg, S) -> {noreply, S}.
