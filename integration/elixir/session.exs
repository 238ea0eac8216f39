# session.exs: a scripted Elixir shell session against the erlgo demo
# node, printed like iex (the transcript in docs/interop.md comes from it).
#
#   elixir --name ex@127.0.0.1 --cookie C session.exs go@127.0.0.1
defmodule Session do
  def run(go) do
    binding = [go: String.to_atom(go)]

    lines = [
      "Node.ping(go)",
      "Node.list()",
      "GenServer.call({:echo, go}, %{name: \"héllo\", tags: [:a, :b], kw: [x: 1]})",
      "GenServer.call({:echo, go}, %URI{host: \"example.org\", port: 443})",
      "GenServer.cast({:echo, go}, {:send, self(), :casted}); Session.next()",
      ":erpc.call(go, :demo, :add, [2, 3])",
      ":rpc.call(go, :demo, :echo, [~c\"charlist\"])",
      "Map.take(:erpc.call(go, :demo, :node_info, []), [:name, :processes])",
      "try do :erpc.call(go, :demo, :fail, [:oops]) rescue e -> e end",
      ":rpc.call(go, :demo, :nope, [])",
      "w = Node.spawn(go, :demo_worker, :start, [self()]); send(w, {:echo, self(), :hi}); Session.next()",
      "send(w, {:call, {:echo, go}, :ping, 1000}); Session.next()",
      "{:ok, child} = :supervisor.start_child({:demo_sup, go}, [self()])",
      ":supervisor.count_children({:demo_sup, go})"
    ]

    Enum.reduce(lines, binding, fn line, b ->
      IO.puts("iex> " <> line)
      {value, b} = Code.eval_string(line, b)
      IO.puts(inspect(value, pretty: true, width: 78))
      b
    end)
  end

  def next do
    receive do
      msg -> msg
    after
      5000 -> :timeout
    end
  end
end

[go] = System.argv()
Session.run(go)
