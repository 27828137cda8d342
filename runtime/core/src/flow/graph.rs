//! The flow as a graph of node indices: successors (edges plus switch
//! targets), predecessors, reachability. Shared by validation and the engine.

use std::collections::{HashMap, VecDeque};

use super::{EdgeKind, Flow, NodeKind, Problem};

pub struct Graph<'f> {
    pub flow: &'f Flow,
    index: HashMap<&'f str, usize>,
    successors: Vec<Vec<(usize, EdgeKind)>>,
    predecessors: Vec<Vec<usize>>,
}

impl<'f> Graph<'f> {
    /// Build the graph; edges and switch targets naming unknown nodes are
    /// reported and left out.
    pub fn build(flow: &'f Flow) -> (Graph<'f>, Vec<Problem>) {
        let mut problems = Vec::new();
        let mut index = HashMap::new();
        for (i, node) in flow.nodes.iter().enumerate() {
            index.entry(node.id.as_str()).or_insert(i);
        }
        let n = flow.nodes.len();
        let mut graph = Graph { flow, index, successors: vec![Vec::new(); n], predecessors: vec![Vec::new(); n] };
        for edge in &flow.edges {
            match (graph.index.get(edge.from.as_str()), graph.index.get(edge.to.as_str())) {
                (Some(&from), Some(&to)) => graph.link(from, to, edge.kind),
                (None, _) => {
                    problems.push(Problem::flow(format!("edge {} → {}: no node `{}`", edge.from, edge.to, edge.from)))
                }
                (_, None) => problems.push(Problem::node(&edge.from, format!("edge to unknown node `{}`", edge.to))),
            }
        }
        for (from, node) in flow.nodes.iter().enumerate() {
            if let NodeKind::Switch { cases, default } = &node.kind {
                for target in cases.iter().map(|c| &c.to).chain(default.iter()) {
                    match graph.index.get(target.as_str()) {
                        Some(&to) => graph.link(from, to, EdgeKind::Normal),
                        None => problems.push(Problem::node(&node.id, format!("routes to unknown node `{target}`"))),
                    }
                }
            }
        }
        (graph, problems)
    }

    fn link(&mut self, from: usize, to: usize, kind: EdgeKind) {
        self.successors[from].push((to, kind));
        self.predecessors[to].push(from);
    }

    pub fn len(&self) -> usize {
        self.flow.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.flow.nodes.is_empty()
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    pub fn id(&self, i: usize) -> &'f str {
        &self.flow.nodes[i].id
    }

    pub fn kind(&self, i: usize) -> &'f NodeKind {
        &self.flow.nodes[i].kind
    }

    pub fn successors(&self, i: usize) -> &[(usize, EdgeKind)] {
        &self.successors[i]
    }

    pub fn predecessors(&self, i: usize) -> &[usize] {
        &self.predecessors[i]
    }

    /// Nodes reachable from `start` (itself included), by any edge.
    pub fn reachable_from(&self, start: usize) -> Vec<bool> {
        let mut seen = vec![false; self.len()];
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            if !std::mem::replace(&mut seen[i], true) {
                stack.extend(self.successors[i].iter().map(|&(s, _)| s));
            }
        }
        seen
    }

    /// Whether `to` can be reached from `from` by at least one edge. Stops as
    /// soon as it is found, so nearby references cost little in large flows.
    pub fn reaches(&self, from: usize, to: usize) -> bool {
        let mut seen = std::collections::HashSet::new();
        let mut stack: Vec<usize> = self.successors[from].iter().map(|&(s, _)| s).collect();
        while let Some(i) = stack.pop() {
            if i == to {
                return true;
            }
            if seen.insert(i) {
                stack.extend(self.successors[i].iter().map(|&(s, _)| s));
            }
        }
        false
    }

    /// Breadth-first distances from `start` (`usize::MAX`: unreachable).
    pub fn distances_from(&self, start: usize) -> Vec<usize> {
        let mut distance = vec![usize::MAX; self.len()];
        let mut queue = VecDeque::from([start]);
        distance[start] = 0;
        while let Some(i) = queue.pop_front() {
            for &(s, _) in &self.successors[i] {
                if distance[s] == usize::MAX {
                    distance[s] = distance[i] + 1;
                    queue.push_back(s);
                }
            }
        }
        distance
    }

    /// One cycle, as node indices, if the graph has any.
    pub fn find_cycle(&self) -> Option<Vec<usize>> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Open,
            Done,
        }
        let mut mark = vec![Mark::New; self.len()];
        for root in 0..self.len() {
            if mark[root] != Mark::New {
                continue;
            }
            // Iterative DFS keeping the open path, so deep flows cannot overflow the stack.
            let mut path: Vec<(usize, usize)> = vec![(root, 0)];
            mark[root] = Mark::Open;
            while let Some(&mut (node, ref mut next)) = path.last_mut() {
                if let Some(&(succ, _)) = self.successors[node].get(*next) {
                    *next += 1;
                    match mark[succ] {
                        Mark::New => {
                            mark[succ] = Mark::Open;
                            path.push((succ, 0));
                        }
                        Mark::Open => {
                            let start = path.iter().position(|&(n, _)| n == succ).expect("open nodes are on the path");
                            return Some(path[start..].iter().map(|&(n, _)| n).collect());
                        }
                        Mark::Done => {}
                    }
                } else {
                    mark[node] = Mark::Done;
                    path.pop();
                }
            }
        }
        None
    }
}
