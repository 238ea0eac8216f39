defmodule ErlgoEvents do
  @moduledoc """
  An Elixir client of erlgo's distributed events, the one docs/events.md
  shows: it only sends the documented messages to a Go node running
  events.Start (the service {:erlgo_events, node} and the event process).
  """

  @doc "Returns {:ok, event_pid} or {:error, :unknown_event}."
  def lookup(node, name), do: GenServer.call({:erlgo_events, node}, {:lookup, name})

  @doc """
  Subscribes the caller and monitors the event process: {:ok, ref, event_pid,
  last} or {:error, reason}. Messages arrive as {:erlgo_event, {name, node},
  msg}; the end as {:DOWN, ref, :process, event_pid, reason}.
  """
  def monitor(node, name) do
    with {:ok, ev} <- lookup(node, name) do
      ref = Process.monitor(ev)

      case subscribe(ev) do
        {:ok, last} ->
          {:ok, ref, ev, last}

        error ->
          Process.demonitor(ref, [:flush])
          error
      end
    end
  end

  @doc "Ends a subscription made by monitor/2."
  def demonitor(ref, ev) do
    Process.demonitor(ref, [:flush])
    GenServer.call(ev, :unsubscribe)
  end

  @doc "Registers an event with the caller as producer: {:ok, token}."
  def register(node, name, opts \\ []),
    do: GenServer.call({:erlgo_events, node}, {:register, name, opts})

  @doc "Publishes msg with a token from register/3 (or from Go)."
  def publish({:erlgo_event_token, _event, ev, secret}, msg) do
    send(ev, {:publish, secret, msg})
    :ok
  end

  defp subscribe(ev) do
    GenServer.call(ev, :subscribe)
  catch
    :exit, {reason, _} -> {:error, reason}
  end
end

defmodule EventsSubscriber do
  @moduledoc """
  The Elixir subscriber of interop/events' tests: it subscribes with
  ErlgoEvents.monitor/2 and reports to `to` {:subscribed, self(), last},
  then {:got, self(), msg} per message and {:down, self(), reason}.
  The receive loop is a module function (Elixir 1.14 on OTP 25 quirk).
  """

  def start(node, name, to) do
    spawn(fn ->
      {:ok, ref, ev, last} = ErlgoEvents.monitor(node, name)
      send(to, {:subscribed, self(), last})
      loop({name, node}, ref, ev, to)
    end)
  end

  defp loop(event, ref, ev, to) do
    receive do
      {:erlgo_event, ^event, msg} ->
        send(to, {:got, self(), msg})
        loop(event, ref, ev, to)

      {:DOWN, ^ref, :process, ^ev, reason} ->
        send(to, {:down, self(), reason})
    end
  end
end
