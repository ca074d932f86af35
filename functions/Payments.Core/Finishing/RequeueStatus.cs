namespace Payments.Core.Finishing;

public enum RequeueStatus { Requeued, NotFound, NotParked }
