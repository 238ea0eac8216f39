%% erlgo_events: a BEAM client of erlgo's distributed events, the one
%% docs/events.md shows. It only sends the documented messages: any BEAM
%% node can use it against a Go node running events.Start.
-module(erlgo_events).
-export([lookup/2, monitor/2, link/2, demonitor/2, unlink/1,
         register/3, publish/2, unregister/1, which_events/1]).

%% lookup(Node, Name) -> {ok, EventPid} | {error, unknown_event}
lookup(Node, Name) ->
    gen_server:call({erlgo_events, Node}, {lookup, Name}).

%% monitor(Node, Name) -> {ok, MonitorRef, EventPid, Last} | {error, Reason}
%% Monitor first, then subscribe: if the event ends in between, the DOWN
%% says so.
monitor(Node, Name) ->
    case lookup(Node, Name) of
        {ok, Ev} ->
            Ref = erlang:monitor(process, Ev),
            case subscribe(Ev) of
                {ok, Last} -> {ok, Ref, Ev, Last};
                Error -> erlang:demonitor(Ref, [flush]), Error
            end;
        Error ->
            Error
    end.

%% link(Node, Name) -> {ok, EventPid, Last} | {error, Reason}
link(Node, Name) ->
    case lookup(Node, Name) of
        {ok, Ev} ->
            true = erlang:link(Ev),
            case subscribe(Ev) of
                {ok, Last} -> {ok, Ev, Last};
                Error -> erlang:unlink(Ev), Error
            end;
        Error ->
            Error
    end.

demonitor(Ref, Ev) ->
    erlang:demonitor(Ref, [flush]),
    unsubscribe(Ev).

unlink(Ev) ->
    erlang:unlink(Ev),
    unsubscribe(Ev).

subscribe(Ev) ->
    try gen_server:call(Ev, subscribe)
    catch exit:{Reason, _} -> {error, Reason}
    end.

unsubscribe(Ev) ->
    try gen_server:call(Ev, unsubscribe)
    catch exit:{Reason, _} -> {error, Reason}
    end.

%% register(Node, Name, Opts) -> {ok, Token} | {error, taken | badarg}
%% Opts: [notify | {buffer, N}]. The caller is the producer: the event ends
%% with the caller's exit reason when the caller exits.
register(Node, Name, Opts) ->
    gen_server:call({erlgo_events, Node}, {register, Name, Opts}).

publish({erlgo_event_token, _Event, Ev, Secret}, Msg) ->
    Ev ! {publish, Secret, Msg},
    ok.

%% unregister(Token) -> ok | {error, bad_token}
unregister({erlgo_event_token, _Event, Ev, Secret}) ->
    gen_server:call(Ev, {unregister, Secret}).

which_events(Node) ->
    gen_server:call({erlgo_events, Node}, which_events).
