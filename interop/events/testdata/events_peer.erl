%% Test subscribers and producers for interop/events' erl tests, built on
%% the documented client (erlgo_events.erl). Each reports to To (a pid or
%% {Name, Node}) as {Tag, self(), ...}.
-module(events_peer).
-export([subscriber/3, linked/3, counter/4, producer/4]).

%% subscriber: monitors the event, reports {subscribed, Self, Last}, then
%% {got, Self, Msg} per message and {down, Self, Reason} at the end.
subscriber(Node, Name, To) ->
    spawn(fun() ->
                  {ok, Ref, Ev, Last} = erlgo_events:monitor(Node, Name),
                  To ! {subscribed, self(), Last},
                  sub_loop({Name, Node}, Ref, Ev, To)
          end).

sub_loop(Event, Ref, Ev, To) ->
    receive
        {erlgo_event, Event, Msg} -> To ! {got, self(), Msg}, sub_loop(Event, Ref, Ev, To);
        {'DOWN', Ref, process, Ev, Reason} -> To ! {down, self(), Reason}
    end.

%% linked: traps exits, links the event, reports {exit, Self, Reason}.
linked(Node, Name, To) ->
    spawn(fun() ->
                  process_flag(trap_exit, true),
                  {ok, Ev, Last} = erlgo_events:link(Node, Name),
                  To ! {subscribed, self(), Last},
                  link_loop({Name, Node}, Ev, To)
          end).

link_loop(Event, Ev, To) ->
    receive
        {erlgo_event, Event, Msg} -> To ! {got, self(), Msg}, link_loop(Event, Ev, To);
        {'EXIT', Ev, Reason} -> To ! {exit, self(), Reason}
    end.

%% counter: expects {n, 0} .. {n, N-1} in order and reports
%% {counted, Self, N} or {out_of_order, Self, Want, Got}.
counter(Node, Name, N, To) ->
    spawn(fun() ->
                  {ok, _Ref, _Ev, _} = erlgo_events:monitor(Node, Name),
                  To ! {subscribed, self(), []},
                  count_loop({Name, Node}, 0, N, To)
          end).

count_loop(_Event, N, N, To) -> To ! {counted, self(), N};
count_loop(Event, I, N, To) ->
    receive
        {erlgo_event, Event, {n, I}} -> count_loop(Event, I + 1, N, To);
        {erlgo_event, Event, Other} -> To ! {out_of_order, self(), I, Other}
    end.

%% producer: registers Name on the Go node, reports {registered, Self,
%% Token}, then publishes what it is told ({publish, Msg}), forwards the
%% notifications it gets ({notified, Self, Msg}), and exits with the
%% reason it is given ({exit, Reason}); sync answers {synced, Self} once
%% the event has handled the publishes before it.
producer(Node, Name, Opts, To) ->
    spawn(fun() ->
                  {ok, Token} = erlgo_events:register(Node, Name, Opts),
                  To ! {registered, self(), Token},
                  prod_loop(Token, To)
          end).

prod_loop(Token, To) ->
    receive
        {publish, Msg} -> erlgo_events:publish(Token, Msg), prod_loop(Token, To);
        {exit, Reason} -> exit(Reason);
        sync ->
            %% A call from the same sender is handled after its publishes.
            {error, badarg} = gen_server:call(element(3, Token), sync),
            To ! {synced, self()},
            prod_loop(Token, To);
        Other -> To ! {notified, self(), Other}, prod_loop(Token, To)
    end.
