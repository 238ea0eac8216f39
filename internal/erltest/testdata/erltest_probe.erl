-module(erltest_probe).
-export([hello/0]).

hello() -> io:format("HELLO~n").
