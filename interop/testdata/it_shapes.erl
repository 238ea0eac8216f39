%% it_shapes: what a real OTP node answers to erpc (as the DOWN reason of
%% erpc:execute_call/4) and to rex calls, for every exception class. The
%% interop tests compare erlgo's answers with these. Each line printed is
%% "Case Kind Hex" where Hex is term_to_binary of the answer.
-module(it_shapes).
-export([main/0, f/1, t/1, x/1, e/1]).

f(X) -> X.
t(X) -> throw(X).
x(X) -> exit(X).
e(X) -> error(X).

main() ->
    {ok, Peer, Node} = peer:start_link(#{name => peer:random_name(),
        longnames => true, host => "127.0.0.1",
        args => ["-setcookie", atom_to_list(erlang:get_cookie()), "-pa", code:lib_dir(kernel) ++ "/../..", "-pa", filename:dirname(code:which(?MODULE))]}),
    Cases = [{return, f, [1]}, {throw, t, [a]}, {exit, x, [c]}, {error, e, [b]},
             {undef, nope, [1]}, {badarity, f, [1, 2]}],
    [begin
         Res = make_ref(),
         ReqId = spawn_request(Node, erpc, execute_call, [Res, ?MODULE, F, A],
                               [{reply, error_only}, monitor]),
         Down = receive {'DOWN', ReqId, process, _, R} -> R end,
         %% Replace our ref by the atom ref so the Go side can compare.
         Shaped = setelement(1, Down, ref),
         Rex = gen_server:call({rex, Node}, {call, ?MODULE, F, A, group_leader()}),
         io:format("~s erpc ~s~n", [Name, hex(Shaped)]),
         io:format("~s rex ~s~n", [Name, hex(Rex)])
     end || {Name, F, A} <- Cases],
    peer:stop(Peer),
    halt(0).

hex(T) -> binary:encode_hex(term_to_binary(T)).
