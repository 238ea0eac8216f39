# Elixir-side checks against Go actors (actors/erl_test.go TestElixir).
# The Go node name is the first argument.
[go] = System.argv()
go = String.to_atom(go)

check = fn name, f ->
  try do
    f.()
    IO.puts("CHECK #{name} ok")
  rescue
    e -> IO.puts("CHECK #{name} FAIL #{inspect(e)}")
  catch
    k, r -> IO.puts("CHECK #{name} FAIL #{inspect({k, r})}")
  end
end

check.("genserver_call", fn -> 0 = GenServer.call({:go_counter, go}, :get) end)
check.("genserver_cast", fn ->
  :ok = GenServer.cast({:go_counter, go}, :inc)
  1 = GenServer.call({:go_counter, go}, :get)
end)
check.("sys_get_state", fn -> 1 = :sys.get_state({:go_counter, go}) end)
check.("supervisor_which_children", fn ->
  [{:a, a, :worker, _}, {:b, _, :worker, _}] = Supervisor.which_children({:go_sup, go})
  true = is_pid(a)
end)
check.("supervisor_count_children", fn ->
  %{specs: 2, active: 2, supervisors: 0, workers: 2} = Supervisor.count_children({:go_sup, go})
end)
check.("noproc", fn ->
  try do
    GenServer.call({:missing, go}, :get)
    raise "no exit"
  catch
    :exit, {:noproc, _} -> :ok
  end
end)
IO.puts("DONE")
