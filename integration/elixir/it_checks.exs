# it_checks.exs: Elixir-side acceptance checks of the erlgo demo node.
#
#   ERL_EPMD_PORT=... elixir --name ex@127.0.0.1 --cookie C it_checks.exs go@127.0.0.1 [--demo-only]
#
# Prints "ok   Name value" / "FAIL Name value" per check and exits with
# status 0 when all passed. Receive loops live in module functions (see the
# Elixir 1.14 on OTP 25 quirk in the shared notes).
defmodule ItPerson do
  defstruct [:name, :age, :tags]
end

defmodule ItChecks do
  # With --demo-only, checks that need the integration suite's it module
  # are left out (for a plain `erlgo node`, as in docker-compose).
  def main([go | opts]) do
    g = String.to_atom(go)
    all = checks(g)
    selected = if "--demo-only" in opts, do: Enum.reject(all, fn {name, _} -> String.starts_with?(name, "it: ") end), else: all
    results = for {name, fun} <- selected, do: step(name, fun)
    failed = Enum.count(results, &(&1 == false))
    IO.puts("checks: #{length(results)} run, #{failed} failed")
    System.halt(if failed == 0, do: 0, else: 1)
  end

  def step(name, fun) do
    res =
      try do
        fun.()
      catch
        kind, reason -> {:crash, kind, reason}
      end

    case res do
      {:ok, shown} ->
        IO.puts("ok   #{name} #{inspect(shown)}")
        true

      other ->
        IO.puts("FAIL #{name} #{inspect(other)}")
        false
    end
  end

  def expect(want, got) when want === got, do: {:ok, got}
  def expect(want, got), do: {:unexpected, got, :wanted, want}

  def recv(pred, timeout \\ 10_000) do
    receive do
      msg -> if pred.(msg), do: {:ok, msg}, else: recv(pred, timeout)
    after
      timeout -> {:error, :timeout}
    end
  end

  def checks(g) do
    echo = {:echo, g}

    [
      {"Node.ping", fn -> expect(:pong, Node.ping(g)) end},
      {"Node.list shows the Go node", fn -> expect(true, g in Node.list()) end},
      {"GenServer.call echo: strings are binaries", fn ->
         expect("héllo", GenServer.call(echo, "héllo"))
       end},
      {"charlist, keyword list, module atom, struct, map round-trip", fn ->
         terms = [~c"abc", [a: 1, b: "two"], String, %URI{host: "h", port: 1}, %{"k" => [1, 2]}, {:tuple, 1.5}]
         expect(terms, Enum.map(terms, &GenServer.call(echo, &1)))
       end},
      {"GenServer.cast echo", fn ->
         GenServer.cast(echo, {:send, self(), :casted})
         recv(&(&1 == :casted))
       end},
      {"send {Pid, T} to echo", fn ->
         send(echo, {self(), :hi})
         recv(&(&1 == {:echo, :hi}))
       end},
      {"GenServer.call missing name exits noproc", fn ->
         r =
           try do
             GenServer.call({:nobody, g}, :x, 3000)
           catch
             :exit, {reason, _} -> reason
           end

         expect(:noproc, r)
       end},
      {"Node.spawn demo_worker + monitor", fn ->
         w = Node.spawn(g, :demo_worker, :start, [self()])
         send(w, {:echo, self(), 1})
         {:ok, _} = recv(&(&1 == {:echo, w, 1}))
         ref = Process.monitor(w)
         send(w, {:exit, :bye})
         recv(&match?({:DOWN, ^ref, :process, ^w, :bye}, &1))
       end},
      {":supervisor.start_child demo_sup", fn ->
         {:ok, pid} = :supervisor.start_child({:demo_sup, g}, [self()])
         expect(g, node(pid))
       end},
      {":erpc.call demo.add", fn -> expect(3, :erpc.call(g, :demo, :add, [1, 2])) end},
      {":rpc.call demo.echo", fn -> expect("héllo", :rpc.call(g, :demo, :echo, ["héllo"])) end},
      {":erpc.call demo.fail raises ErlangError", fn ->
         r =
           try do
             :erpc.call(g, :demo, :fail, [:oops])
           rescue
             e in ErlangError -> e.original
           end

         case r do
           {:exception, :oops, [_ | _]} -> {:ok, r}
           other -> other
         end
       end},
      {"undefined function is undef", fn ->
         r =
           try do
             :erpc.call(g, :demo, :nope, [])
           catch
             :error, reason -> reason
           end

         expect({:exception, :undef, [{:demo, :nope, [], []}]}, r)
       end},
      {"it: struct decoded into a Go struct and back", fn ->
         expect(%ItPerson{name: "ANN", age: 4, tags: [:a]},
                :erpc.call(g, :it, :birthday, [%ItPerson{name: "ann", age: 3, tags: [:a]}]))
       end},
      {"it: keyword list into etf.Keyword, strings and charlists into string", fn ->
         expect({6, 5, 5},
                {:erpc.call(g, :it, :kwsum, [[a: 1, b: 2, a: 3]]),
                 :erpc.call(g, :it, :strlen, ["héllo"]),
                 :erpc.call(g, :it, :strlen, [~c"héllo"])})
       end},
      {"it: Go builds Elixir module atoms", fn ->
         expect(Enum.Map, :erpc.call(g, :it, :module, ["Enum.Map"]))
       end},
      {"Elixir module name calls map to Elixir.-prefixed atoms", fn ->
         expect({:badrpc, {:EXIT, {:undef, [{Some.Module, :f, [], []}]}}}, :rpc.call(g, Some.Module, :f, []))
       end}
    ]
  end
end

ItChecks.main(System.argv())
