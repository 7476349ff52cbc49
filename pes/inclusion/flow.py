"""A min-cost flow that starts from a given flow and node potentials (a *warm start*).

OR-Tools' min-cost flow starts from scratch every time; when the exact allocation adds a few
pairs to a flow that was optimal a moment ago, most of that work is repeated. This is the
primal-dual algorithm (successive shortest paths with potentials, Ahuja, Magnanti and Orlin,
*Network Flows*, ch. 9.7), compiled with numba:

1. every arc whose reduced cost ``cost - pi[tail] + pi[head]`` is negative is saturated and
   every arc whose reduced cost is positive is emptied, so the residual network has no
   negative reduced cost; the start's flow is kept where it is already consistent with the
   potentials, and what is not consistent becomes an excess or a deficit at some nodes;
2. a shortest-path search (Dial's buckets, a heap beyond them) from all the nodes with an
   excess stops at the first node with a deficit; the potentials drop by the distances, so
   that every shortest path is made of arcs of zero reduced cost;
3. flow is pushed along the path found, then along every path of zero reduced cost from an
   excess to a deficit (a depth-first search, each node given up once it leads nowhere);
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

#: Distances below this are kept in buckets (Dial); larger ones in a binary heap.
_BUCKETS = 4096


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
    buckets: int,
) -> tuple[int, int]:
    m = len(tail)
    # half-arcs by node: h < m is arc h forwards, h >= m arc h - m backwards
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
    dist = np.full(n, inf, dtype=np.int64)
    done = np.zeros(n, dtype=np.bool_)
    pred = np.full(n, -1, dtype=np.int64)
    touched = np.empty(n, dtype=np.int64)
    entries = 2 * m + n + 1
    heap_keys = np.empty(entries, dtype=np.int64)
    heap_values = np.empty(entries, dtype=np.int64)
    bucket_head = np.empty(buckets, dtype=np.int64)
    entry_node = np.empty(entries, dtype=np.int64)
    entry_next = np.empty(entries, dtype=np.int64)
    current = np.empty(n, dtype=np.int64)
    on_path = np.zeros(n, dtype=np.bool_)
    dead = np.zeros(n, dtype=np.bool_)
    path_node = np.empty(n + 1, dtype=np.int64)
    path_arc = np.empty(n + 1, dtype=np.int64)
    phases = 0
    while True:
        # 2. shortest paths from every node with an excess to the nearest deficit
        for b in range(buckets):
            bucket_head[b] = -1
        n_entries = 0
        n_touched = 0
        for v in range(n):
            if excess[v] > 0:
                dist[v] = 0
                touched[n_touched] = v
                n_touched += 1
                entry_node[n_entries] = v
                entry_next[n_entries] = bucket_head[0]
                bucket_head[0] = n_entries
                n_entries += 1
        if n_touched == 0:
            return 0, phases
        if phases >= max_phases:
            return 2, phases
        phases += 1
        size = 0
        bucket = 0
        target = -1
        reach = inf
        while True:
            while bucket < buckets and bucket_head[bucket] < 0:
                bucket += 1
            if bucket < buckets:
                e = bucket_head[bucket]
                bucket_head[bucket] = entry_next[e]
                v = entry_node[e]
                d = bucket
            elif size > 0:
                d, v, size = _heap_pop(heap_keys, heap_values, size)
            else:
                break
            if done[v] or d > dist[v]:
                continue
            done[v] = True
            if excess[v] < 0:
                reach = d
                target = v
                break
            for k in range(start[v], start[v + 1]):
                h = adj[k]
                if h < m:
                    if flow[h] >= cap[h]:
                        continue
                    w = head[h]
                    reduced = cost[h] - pi[v] + pi[w]
                else:
                    a = h - m
                    if flow[a] <= 0:
                        continue
                    w = tail[a]
                    reduced = pi[w] - pi[v] - cost[a]
                if done[w]:
                    continue
                nd = d + reduced
                if nd < dist[w]:
                    if dist[w] == inf:
                        touched[n_touched] = w
                        n_touched += 1
                    dist[w] = nd
                    pred[w] = h
                    if nd < buckets:
                        entry_node[n_entries] = w
                        entry_next[n_entries] = bucket_head[nd]
                        bucket_head[nd] = n_entries
                        n_entries += 1
                    else:
                        size = _heap_push(heap_keys, heap_values, size, nd, w)
        if target < 0:
            return 1, phases  # an excess that cannot reach any deficit: infeasible
        # potentials: every node settled closer than the deficit drops by its distance,
        # every other node by the deficit's distance
        for v in range(n):
            if dist[v] < reach:
                pi[v] -= dist[v]
            else:
                pi[v] -= reach
        # 3. the path found first (progress is certain), then every admissible path
        amount = -excess[target]
        v = target
        while pred[v] >= 0:
            h = pred[v]
            if h < m:
                amount = min(amount, cap[h] - flow[h])
                v = tail[h]
            else:
                amount = min(amount, flow[h - m])
                v = head[h - m]
        amount = min(amount, excess[v])
        w = target
        while pred[w] >= 0:
            h = pred[w]
            if h < m:
                flow[h] += amount
                w = tail[h]
            else:
                flow[h - m] -= amount
                w = head[h - m]
        excess[w] -= amount
        excess[target] += amount
        for i in range(n_touched):
            v = touched[i]
            dist[v] = inf
            done[v] = False
            pred[v] = -1
        for v in range(n):
            current[v] = start[v]
            dead[v] = False
        for s in range(n):
            while excess[s] > 0 and not dead[s]:
                depth = 0
                path_node[0] = s
                on_path[s] = True
                found = -1
                while depth >= 0:
                    v = path_node[depth]
                    if depth > 0 and excess[v] < 0:
                        found = depth
                        break
                    moved = False
                    while current[v] < start[v + 1]:
                        h = adj[current[v]]
                        if h < m:
                            w = head[h]
                            moved = (
                                flow[h] < cap[h]
                                and not dead[w]
                                and not on_path[w]
                                and cost[h] - pi[v] + pi[w] == 0
                            )
                        else:
                            a = h - m
                            w = tail[a]
                            moved = (
                                flow[a] > 0
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
                if found < 0:
                    break
                t = path_node[found]
                amount = min(excess[s], -excess[t])
                for i in range(found):
                    h = path_arc[i]
                    amount = min(amount, cap[h] - flow[h] if h < m else flow[h - m])
                for i in range(found):
                    h = path_arc[i]
                    if h < m:
                        flow[h] += amount
                    else:
                        flow[h - m] -= amount
                excess[s] -= amount
                excess[t] += amount
                for i in range(found + 1):
                    on_path[path_node[i]] = False


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
    status, _phases = _primal_dual(
        n, tail, head, capacity, cost, supply, x, pi, max_phases, _BUCKETS
    )
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
