"""A min-cost flow that starts from a given flow and node potentials (a *warm start*).

OR-Tools' min-cost flow starts from scratch every time; when the exact allocation adds a few
pairs to a flow that was optimal a moment ago, most of that work is repeated. This is the
primal-dual algorithm (successive shortest paths with potentials, Ahuja, Magnanti and Orlin,
*Network Flows*, ch. 9.7), compiled with numba:

1. every arc whose reduced cost ``cost - pi[tail] + pi[head]`` is negative is saturated and
   every arc whose reduced cost is positive is emptied, so the residual network has no
   negative reduced cost; the start's flow is kept where it is already consistent with the
   potentials, and what is not consistent becomes an excess or a deficit at some nodes;
2. two shortest-path searches (Dijkstra, binary heaps), one forwards from every node with
   an excess and one backwards from every node with a deficit, take a node in turn; the
   first to reach a node of the other kind ends the phase (the scores are so degenerate that
   most of the network is at distance 0 from one end, and the other end is usually much
   closer). The potentials of the nodes it settled move by their distances, so that every
   shortest path it found is made of arcs of zero reduced cost;
3. flow is pushed along the path found, then along every path of zero reduced cost from an
   excess to a deficit inside the part of the network that search went through (a
   depth-first search, each node given up once it leads nowhere);
4. again from 2, until no excess is left.

The result is optimal whatever the start; a start close to the optimum (the previous optimum
and its dual prices, plus a few new arcs) leaves little to do. The allocation never relies on
it alone: the prices computed afterwards (``matching._prices``) certify the flow or the caller
falls back to OR-Tools.

The compiled code is cached on disk by numba (``cache=True``): the first call after an
installation compiles it (a few seconds), later processes load it.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from numba import njit


@njit(cache=True)
def _heap_push(
    keys: Any, values: Any, size: int, key: int, value: int
) -> int:  # pragma: no cover - compiled
    i = size
    keys[i] = key
    values[i] = value
    while i > 0:
        parent = (i - 1) >> 1
        if keys[parent] <= keys[i]:
            break
        keys[parent], keys[i] = keys[i], keys[parent]
        values[parent], values[i] = values[i], values[parent]
        i = parent
    return size + 1


@njit(cache=True)
def _heap_pop(
    keys: Any, values: Any, size: int
) -> tuple[int, int, int]:  # pragma: no cover - compiled
    key = keys[0]
    value = values[0]
    size -= 1
    keys[0] = keys[size]
    values[0] = values[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        child = left
        if left + 1 < size and keys[left + 1] < keys[left]:
            child = left + 1
        if keys[i] <= keys[child]:
            break
        keys[child], keys[i] = keys[i], keys[child]
        values[child], values[i] = values[i], values[child]
        i = child
    return key, value, size


@njit(cache=True)
def _primal_dual(  # pragma: no cover - compiled
    n: int,
    tail: Any,
    head: Any,
    cap: Any,
    cost: Any,
    supply: Any,
    flow: Any,
    pi: Any,
    max_phases: int,
) -> tuple[int, int]:
    m = len(tail)
    # half-arcs by node: h < m is arc h seen from its tail, h >= m arc h - m from its head
    start = np.zeros(n + 1, dtype=np.int64)
    for a in range(m):
        start[tail[a] + 1] += 1
        start[head[a] + 1] += 1
    for v in range(n):
        start[v + 1] += start[v]
    fill = start[:n].copy()
    adj = np.empty(2 * m, dtype=np.int64)
    for a in range(m):
        adj[fill[tail[a]]] = a
        fill[tail[a]] += 1
        adj[fill[head[a]]] = a + m
        fill[head[a]] += 1
    # 1. no residual arc of negative reduced cost
    excess = supply.copy()
    for a in range(m):
        reduced = cost[a] - pi[tail[a]] + pi[head[a]]
        if reduced < 0:
            flow[a] = cap[a]
        elif reduced > 0:
            flow[a] = 0
        excess[tail[a]] -= flow[a]
        excess[head[a]] += flow[a]
    inf = 1 << 60
    entries = 2 * m + n + 1
    # side 0 searches forwards from the excesses, side 1 backwards from the deficits
    dist = np.full((2, n), inf, dtype=np.int64)
    done = np.zeros((2, n), dtype=np.bool_)
    pred = np.full((2, n), -1, dtype=np.int64)
    touched = np.empty((2, n), dtype=np.int64)
    keys = np.empty((2, entries), dtype=np.int64)
    values = np.empty((2, entries), dtype=np.int64)
    current = np.empty(n, dtype=np.int64)
    on_path = np.zeros(n, dtype=np.bool_)
    dead = np.zeros(n, dtype=np.bool_)
    path_node = np.empty(n + 1, dtype=np.int64)
    path_arc = np.empty(n + 1, dtype=np.int64)
    n_touched = np.zeros(2, dtype=np.int64)
    size = np.zeros(2, dtype=np.int64)
    sources = np.zeros(2, dtype=np.int64)
    next_source = np.zeros(2, dtype=np.int64)
    phases = 0
    while True:
        # 2. shortest paths between the excesses and the deficits: the two searches take a
        # node in turn; the first to reach the other kind of node decides the phase
        # the sources (distance 0) are taken first, in the order of ``touched``, then the heap
        for v in range(n):
            for side in range(2):
                if (excess[v] > 0 and side == 0) or (excess[v] < 0 and side == 1):
                    dist[side, v] = 0
                    touched[side, n_touched[side]] = v
                    n_touched[side] += 1
        sources[0], sources[1] = n_touched[0], n_touched[1]
        next_source[0], next_source[1] = 0, 0
        if n_touched[0] == 0:
            return 0, phases
        if phases >= max_phases:
            return 2, phases
        phases += 1
        side = 0
        found = -1
        reach = 0
        while found < 0:
            if next_source[side] < sources[side]:
                v = touched[side, next_source[side]]
                next_source[side] += 1
                d = 0
            elif size[side] > 0:
                d, v, size[side] = _heap_pop(keys[side], values[side], size[side])
            else:
                return 1, phases  # nothing left to reach: no flow meets the supplies
            if done[side, v] or d > dist[side, v]:
                continue
            done[side, v] = True
            if (side == 0 and excess[v] < 0) or (side == 1 and excess[v] > 0):
                found = v
                reach = d
                break
            for k in range(start[v], start[v + 1]):
                h = adj[k]
                # forwards: the residual arcs leaving v; backwards: those entering v
                if (h < m) == (side == 0):
                    a = h if h < m else h - m
                    if flow[a] >= cap[a]:
                        continue
                    w = head[a] if side == 0 else tail[a]
                    reduced = cost[a] - pi[tail[a]] + pi[head[a]]
                else:
                    a = h if h < m else h - m
                    if flow[a] <= 0:
                        continue
                    w = tail[a] if side == 0 else head[a]
                    reduced = pi[tail[a]] - pi[head[a]] - cost[a]
                if done[side, w]:
                    continue
                nd = d + reduced
                if nd < dist[side, w]:
                    if dist[side, w] == inf:
                        touched[side, n_touched[side]] = w
                        n_touched[side] += 1
                    dist[side, w] = nd
                    pred[side, w] = h
                    size[side] = _heap_push(keys[side], values[side], size[side], nd, w)
            side = 1 - side
        # potentials: forwards, every node settled closer than ``reach`` drops by its
        # distance and every other by ``reach`` (backwards, they rise the same way); as a
        # shift of every potential changes no reduced cost, only the first ones move
        sign = -1 if side == 0 else 1
        for i in range(n_touched[side]):
            v = touched[side, i]
            if dist[side, v] < reach:
                pi[v] += sign * (dist[side, v] - reach)
        # 3. the path found first (progress is certain) ...
        amount = excess[found] if side == 1 else -excess[found]
        v = found
        while pred[side, v] >= 0:
            h = pred[side, v]
            a = h if h < m else h - m
            forwards = (h < m) == (side == 0)
            if forwards:
                amount = min(amount, cap[a] - flow[a])
            else:
                amount = min(amount, flow[a])
            if side == 0:
                v = tail[a] if h < m else head[a]
            else:
                v = head[a] if h >= m else tail[a]
        amount = min(amount, excess[v] if side == 0 else -excess[v])
        w = found
        while pred[side, w] >= 0:
            h = pred[side, w]
            a = h if h < m else h - m
            if (h < m) == (side == 0):
                flow[a] += amount
            else:
                flow[a] -= amount
            if side == 0:
                w = tail[a] if h < m else head[a]
            else:
                w = head[a] if h >= m else tail[a]
        if side == 0:
            excess[w] -= amount
            excess[found] += amount
        else:
            excess[found] -= amount
            excess[w] += amount
        # ... then every path of zero reduced cost from an excess to a deficit inside the
        # part of the network this phase's search went through (the others: later phases)
        region = touched[side, : n_touched[side]]
        for v in region:
            current[v] = start[v]
            dead[v] = dist[side, v] > reach
        for s in region:
            while excess[s] > 0 and not dead[s]:
                depth = 0
                path_node[0] = s
                on_path[s] = True
                end = -1
                while depth >= 0:
                    v = path_node[depth]
                    if depth > 0 and excess[v] < 0:
                        end = depth
                        break
                    moved = False
                    while current[v] < start[v + 1]:
                        h = adj[current[v]]
                        if h < m:
                            w = head[h]
                            moved = (
                                flow[h] < cap[h]
                                and dist[side, w] <= reach
                                and not dead[w]
                                and not on_path[w]
                                and cost[h] - pi[v] + pi[w] == 0
                            )
                        else:
                            a = h - m
                            w = tail[a]
                            moved = (
                                flow[a] > 0
                                and dist[side, w] <= reach
                                and not dead[w]
                                and not on_path[w]
                                and cost[a] - pi[w] + pi[v] == 0
                            )
                        if moved:
                            path_arc[depth] = h
                            depth += 1
                            path_node[depth] = w
                            on_path[w] = True
                            break
                        current[v] += 1
                    if not moved:
                        dead[v] = True
                        on_path[v] = False
                        depth -= 1
                        if depth >= 0:
                            current[path_node[depth]] += 1
                if end < 0:
                    break
                t = path_node[end]
                amount = min(excess[s], -excess[t])
                for i in range(end):
                    h = path_arc[i]
                    amount = min(amount, cap[h] - flow[h] if h < m else flow[h - m])
                for i in range(end):
                    h = path_arc[i]
                    if h < m:
                        flow[h] += amount
                    else:
                        flow[h - m] -= amount
                excess[s] -= amount
                excess[t] += amount
                for i in range(end + 1):
                    on_path[path_node[i]] = False
        for s in range(2):
            for i in range(n_touched[s]):
                v = touched[s, i]
                dist[s, v] = inf
                done[s, v] = False
                pred[s, v] = -1
            n_touched[s] = 0
            size[s] = 0


def min_cost_flow(
    tail: np.ndarray,
    head: np.ndarray,
    capacity: np.ndarray,
    cost: np.ndarray,
    supply: np.ndarray,
    *,
    flow: np.ndarray | None = None,
    potential: np.ndarray | None = None,
    max_phases: int = 1 << 62,
) -> tuple[np.ndarray, np.ndarray] | None:
    """The flows of a minimum-cost flow and optimal potentials, from a start.

    ``tail``/``head`` index nodes ``0 .. len(supply) - 1``; capacities and costs are integers
    (costs may be negative); ``supply`` sums to zero (positive: the node sends). ``flow``
    (clipped to the capacities) and ``potential`` are the start, zeros when missing. Returns
    ``None`` when more than ``max_phases`` shortest-path searches would be needed (the caller
    then solves from scratch); raises ``ValueError`` when no flow meets the supplies.
    """
    n = len(supply)
    tail = np.ascontiguousarray(tail, dtype=np.int64)
    head = np.ascontiguousarray(head, dtype=np.int64)
    capacity = np.ascontiguousarray(capacity, dtype=np.int64)
    cost = np.ascontiguousarray(cost, dtype=np.int64)
    supply = np.ascontiguousarray(supply, dtype=np.int64)
    if not (len(tail) == len(head) == len(capacity) == len(cost)):
        raise ValueError("tail, head, capacity and cost must have the same length")
    if len(tail) and (min(tail.min(), head.min()) < 0 or max(tail.max(), head.max()) >= n):
        raise ValueError("an arc names a node that does not exist")
    if (capacity < 0).any() or int(supply.sum()) != 0:
        raise ValueError("capacities must be non-negative and the supplies must balance")
    start = np.zeros(len(tail), dtype=np.int64) if flow is None else flow
    x = np.clip(np.asarray(start, dtype=np.int64), 0, capacity)
    pi = (
        np.zeros(n, dtype=np.int64)
        if potential is None
        else np.array(potential, dtype=np.int64, copy=True)
    )
    status, _phases = _primal_dual(n, tail, head, capacity, cost, supply, x, pi, max_phases)
    if status == 1:
        raise ValueError("no flow meets the supplies")
    if status == 2:
        return None
    return x, pi


def load() -> float:
    """Compile the kernel, or load it from numba's cache, now rather than at the first real
    call; the seconds it took."""
    started = time.perf_counter()
    one = np.ones(1, dtype=np.int64)
    min_cost_flow(one * 0, one, one, one, np.array([1, -1], dtype=np.int64))
    return time.perf_counter() - started
