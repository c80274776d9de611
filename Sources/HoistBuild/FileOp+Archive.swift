import Foundation
public import HoistStore

extension FileOp {
    /// Writes the changes this op makes on top of `base` (a layer chain in `store`; empty for
    /// scratch) to the file `archive`, a tar for a daemon to extract at `/` of a container of
    /// that chain, as the native worker would make them on a snapshot: owners, modes, `--chown`,
    /// `--chmod` and the copy rules the same, with no privilege here.
    ///
    /// A copy reads its input from `fetched` (by the action's index) when given — another
    /// stage's or an image's files, taken from the daemon — or else from a local directory.
    ///
    /// - Throws: ``BuildError`` as the native worker's file step throws, and `unsupported` for
    ///   a removal, which the daemon's archive upload cannot make.
    public func writeArchive(to archive: String, base: [LayerRef], store: Store, inputs: [BuildResult],
                             fetched: [Int: SourceTree], pathFilter: PathFilter) throws {
        let destination = try ArchiveDestination(archive: archive, base: base.isEmpty ? nil : try LayerFileReader(store: store, layers: base))
        let actions = FileActions(destination: destination, pathFilter: pathFilter)
        for (index, action) in self.actions.enumerated() {
            try actions.perform(action, inputs: inputs) { _, input, body in
                if let tree = fetched[index] {
                    let attributes = tree.attributes
                    try body(FileActions.Source(path: tree.root, exclude: [], isLocal: false, attributes: { attributes[$0] }))
                } else if case .directory(let path, let exclude) = input {
                    try body(FileActions.Source(path: path, exclude: exclude, isLocal: true))
                } else {
                    throw BuildError(.internal, "a copy from another stage was not given that stage's files")
                }
            }
        }
        try destination.finish()
    }
}

extension CopyAction {
    /// The absolute paths of its input under which everything this copy can read lies: each
    /// source up to its first wildcard (a `--parents` source up to its selection's `**`), for a
    /// worker that fetches them before copying.
    public var pathsToFetch: [String] {
        let sources = keepParents ? sources.map(CopySemantics.pathRead(byParentsSource:)) : sources
        return sources.map { source in
            "/" + source.split(separator: "/").prefix { !WildcardPattern.containsWildcards(String($0)) }.filter { $0 != "." }.joined(separator: "/")
        }
    }
}
