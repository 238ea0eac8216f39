defmodule FakePubSub do
  @moduledoc """
  The message shapes of Phoenix.PubSub's PG2 adapter over :pg, for erlgo's
  tests (Phoenix itself is not installed): a worker registered under the
  adapter name joins the adapter group in the Phoenix.PubSub scope,
  receives {:forward_to_local, topic, message, dispatcher} from other
  nodes, and broadcasts by sending that tuple to the other members.
  Receive loops live in module functions (Elixir 1.14 on OTP 25 quirk).
  """

  @scope Phoenix.PubSub
  @adapter :"Elixir.MyApp.PubSub.Adapter"

  def start do
    case :pg.start(@scope) do
      {:ok, _} -> :ok
      {:error, {:already_started, _}} -> :ok
    end

    me = self()
    spawn(fn -> worker_init(me) end)

    receive do
      :worker_ready -> :ok
    after
      10_000 -> :timeout
    end
  end

  def subscribe(pid, topic) do
    send(@adapter, {:subscribe, pid, topic, self()})

    receive do
      :subscribed -> :ok
    after
      10_000 -> :timeout
    end
  end

  def broadcast(topic, message) do
    send(@adapter, {:broadcast, topic, message})
    :ok
  end

  def direct_broadcast(node, topic, message) do
    send({@adapter, node}, {:forward_to_local, topic, message, Phoenix.PubSub})
    :ok
  end

  def members, do: :pg.get_members(@scope, @adapter)

  defp worker_init(parent) do
    Process.register(self(), @adapter)
    :ok = :pg.join(@scope, @adapter, self())
    send(parent, :worker_ready)
    loop(%{})
  end

  defp loop(subs) do
    receive do
      {:forward_to_local, topic, message, _dispatcher} ->
        dispatch(subs, topic, message)
        loop(subs)

      {:subscribe, pid, topic, from} ->
        send(from, :subscribed)
        loop(Map.update(subs, topic, [pid], &[pid | &1]))

      {:broadcast, topic, message} ->
        for pid <- :pg.get_members(@scope, @adapter), node(pid) != node() do
          send(pid, {:forward_to_local, topic, message, Phoenix.PubSub})
        end

        dispatch(subs, topic, message)
        loop(subs)
    end
  end

  defp dispatch(subs, topic, message) do
    for pid <- Map.get(subs, topic, []), do: send(pid, message)
  end
end
