%% Line-protocol helper for beamproc's tests: prints READY, then answers
%% every stdin line "X" with "ECHO X" (after a line of chatter), halts with
%% a message on stderr for "quit", and halts on stdin EOF.
-module(lineecho).
-export([main/0, deaf/0]).

main() ->
    io:format("READY otp=~s~n", [erlang:system_info(otp_release)]),
    loop().

loop() ->
    case io:get_line("") of
        eof ->
            erlang:halt(0);
        "quit\n" ->
            io:format(standard_error, "lineecho: told to quit~n", []),
            erlang:halt(3);
        Line ->
            io:format("chatter~nECHO ~s", [Line]),
            loop()
    end.

%% deaf prints READY and never reads stdin, so only a kill stops it.
deaf() ->
    io:format("READY~n"),
    receive after infinity -> ok end.
