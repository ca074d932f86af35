using Payments.Core.Transactions;

namespace Payments.Core.Finishing;

public sealed record RequeueResult(RequeueStatus Status, IReadOnlyList<string> Operations);
