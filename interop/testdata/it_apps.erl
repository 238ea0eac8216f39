%% Calls a Go node's application functions (interop.ServeApplications)
%% by rpc and erpc and checks each answer against the shape OTP's
%% application controller gives, printing "ok Name" or "FAIL Name Got".
-module(it_apps).
-export([main/1]).

main(Go) ->
    R = fun(F, A) -> rpc:call(Go, application, F, A) end,
    C = fun(Name, Pred, Got) ->
        case catch Pred(Got) of
            true -> io:format("ok ~s~n", [Name]);
            _ -> io:format("FAIL ~s ~0p~n", [Name, Got])
        end
    end,
    C(which_empty, fun(X) -> X =:= [] end, R(which_applications, [])),
    C(dep_not_started, fun(X) -> X =:= {error, {not_started, godep}} end, R(start, [goapp])),
    C(not_allowed, fun(X) -> X =:= {error, {not_allowed, goother}} end, R(start, [goother])),
    C(not_allowed_ensure, fun(X) -> X =:= {error, {goother, not_allowed}} end, R(ensure_all_started, [goother])),
    C(not_allowed_stop, fun(X) -> X =:= {error, {not_allowed, goother}} end, R(stop, [goother])),
    C(not_loaded, fun(X) -> X =:= {error, {"no such file or directory", "nosuch.app"}} end, R(start, [nosuch])),
    C(not_loaded_ensure, fun(X) -> X =:= {error, {nosuch, {"no such file or directory", "nosuch.app"}}} end,
      R(ensure_all_started, [nosuch, permanent])),
    C(bad_type, fun(X) -> X =:= {error, {invalid_restart_type, bogus}} end, R(start, [goapp, bogus])),
    C(bad_type_ensure, fun(X) -> X =:= {error, {goapp, {invalid_restart_type, bogus}}} end,
      R(ensure_all_started, [goapp, bogus])),
    C(start_failed, fun({error, {_, {gobad, start, [normal, []]}}}) -> true end, R(start, [gobad])),
    C(ensure, fun(X) -> X =:= {ok, [godep, goapp]} end, R(ensure_all_started, [goapp, transient])),
    C(ensure_again, fun(X) -> X =:= {ok, []} end, R(ensure_all_started, [goapp])),
    C(already_started, fun(X) -> X =:= {error, {already_started, goapp}} end, R(start, [goapp])),
    C(which, fun(X) -> X =:= [{goapp, "goapp", ""}, {godep, "godep", ""}] end, R(which_applications, [])),
    C(get_env, fun(X) -> X =:= {ok, blue} end, R(get_env, [goapp, color])),
    C(get_env_unset, fun(X) -> X =:= undefined end, R(get_env, [goapp, size])),
    C(get_env_default, fun(X) -> X =:= 7 end, R(get_env, [goapp, size, 7])),
    C(get_env_not_allowed, fun(X) -> X =:= undefined end, R(get_env, [goother, secret])),
    C(set_env, fun(X) -> X =:= ok end, R(set_env, [goapp, color, red])),
    C(set_env_read, fun(X) -> X =:= {ok, red} end, R(get_env, [goapp, color])),
    C(set_env_not_allowed, fun(X) -> X =:= {error, {not_allowed, goother}} end, R(set_env, [goother, secret, x])),
    C(stop, fun(X) -> X =:= ok end, R(stop, [goapp])),
    C(stop_again, fun(X) -> X =:= {error, {not_started, goapp}} end, R(stop, [goapp])),
    C(erpc_which, fun(X) -> X =:= [{godep, "godep", ""}] end,
      erpc:call(Go, application, which_applications, [])),
    C(erpc_start, fun(X) -> X =:= ok end, erpc:call(Go, application, start, [goapp, permanent])),
    halt().
