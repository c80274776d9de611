/// Root-relative paths a ``TreeRecord`` walk leaves out, as a tree of names: a walk looks names
/// up only in the directories on the way to an excluded path, and builds no path to do so.
struct TreeExclusions: Sendable {
    private struct Node: Sendable {
        var children: [[UInt8]: Int] = [:]
        var isExcluded = false
    }

    /// The node of the root directory.
    static let root = 0

    private var nodes = [Node()]

    init(_ paths: Set<String>) {
        for path in paths {
            var node = Self.root
            for component in path.split(separator: "/") where component != "." {
                let name = Array(component.utf8)
                if let next = nodes[node].children[name] {
                    node = next
                } else {
                    nodes.append(Node())
                    nodes[node].children[name] = nodes.count - 1
                    node = nodes.count - 1
                }
            }
            if node != Self.root { nodes[node].isExcluded = true }
        }
    }

    /// Whether something below the directory of `node` is excluded (its names need looking up).
    func hasExclusions(below node: Int) -> Bool {
        !nodes[node].children.isEmpty
    }

    /// The node of entry `name` of the directory of `node`: nil when nothing at or below it is
    /// excluded.
    func child(of node: Int, named name: UnsafeBufferPointer<UInt8>) -> Int? {
        guard hasExclusions(below: node) else { return nil }
        return nodes[node].children[Array(name)]
    }

    /// Whether the path of `node` is excluded, with everything under it.
    func isExcluded(_ node: Int) -> Bool {
        nodes[node].isExcluded
    }
}
