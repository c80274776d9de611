/// A step of a pull or push the Docker daemon makes, as its progress stream reports it.
public struct DaemonTransferProgress: Sendable, Hashable {
    /// The layer (the daemon's short ID) or tag the step is about.
    public var item: String?
    /// The daemon's words: `Downloading`, `Pushed`, `Layer already exists` …
    public var status: String
    /// Bytes moved so far and in all, while bytes move.
    public var completed: Int64?
    public var total: Int64?

    public init(item: String?, status: String, completed: Int64? = nil, total: Int64? = nil) {
        self.item = item
        self.status = status
        self.completed = completed
        self.total = total
    }
}
