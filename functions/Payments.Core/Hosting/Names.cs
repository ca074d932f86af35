namespace Payments.Core.Hosting;

/// <summary>Tables this app uses (declared in infra/ too; a consistency test checks).</summary>
public static class TableNames
{
    /// <summary>State of every transaction (reference numbers, refunds, reservations, mandates), the
    /// idempotency ledger entries and outbox entries of that transaction, one partition per transaction.</summary>
    public const string Transactions = "transactions";
    /// <summary>Idempotency markers (one per method + PIAID + requestId) and lookup indexes.</summary>
    public const string Requests = "requests";
    /// <summary>One row per unfinished operation (written before the commit that creates it, deleted
    /// when it is done): what the outbox relay reads instead of scanning every transaction.</summary>
    public const string Outbox = "outbox";
    public static readonly IReadOnlyList<string> All = [Transactions, Requests, Outbox];
}

/// <summary>Queues this app uses; each has a <c>-poison</c> twin (declared in infra/ too).</summary>
public static class QueueNames
{
    public const string Refunds = "refunds";
    public const string ReservationCancellations = "reservation-cancellations";
    public const string Notifications = "notifications";
    public static readonly IReadOnlyList<string> All = [Refunds, ReservationCancellations, Notifications];
    public static string Poison(string queue) => queue + "-poison";
}

/// <summary>Every setting the app reads, in IConfiguration form (':' — environment variables and
/// local.settings.json use '__'). Code reads settings only through these names; a consistency test
/// checks each is in local.settings.sample.json and infra/.</summary>
public static class SettingNames
{
    /// <summary>The app's storage connection, also the queue triggers' <c>Connection</c>. The Functions
    /// host resolves a connection named X as <c>AzureWebJobsX</c> first, then X: "Storage" would read the
    /// host's own AzureWebJobsStorage, so the name is one no host setting shadows.</summary>
    public const string Storage = "PaymentsStorage";
    public const string StorageTableServiceUri = Storage + ":tableServiceUri";
    public const string StorageQueueServiceUri = Storage + ":queueServiceUri";
    public const string StorageCredential = Storage + ":credential";
    public const string StorageClientId = Storage + ":clientId";
    public const string AccountIds = "Payments:AccountIds";
    public const string IdempotencyRetentionDays = "Payments:IdempotencyRetentionDays";
    public const string ReferenceNumberValidityHours = "Payments:ReferenceNumberValidityHours";
    public const string FundsReservationValidityHours = "Payments:FundsReservationValidityHours";
    public const string SecurityMode = "Security:Mode";
    public const string PgpIntegratorPrivateKeys = "Security:Pgp:IntegratorPrivateKeys";
    public const string PgpPassphrase = "Security:Pgp:Passphrase";
    public const string PgpGooglePublicKeys = "Security:Pgp:GooglePublicKeys";
    public const string JweIntegratorPrivateKeys = "Security:Jwe:IntegratorPrivateKeys";
    public const string JweGooglePublicKeys = "Security:Jwe:GooglePublicKeys";
    public const string GoogleBaseUrl = "Google:BaseUrl";
    public const string BackOfficeProvider = "BackOffice:Provider";
    public const string CrmComBaseUrl = "BackOffice:CrmCom:BaseUrl";
    public const string CrmComUsername = "BackOffice:CrmCom:Username";
    public const string CrmComPassword = "BackOffice:CrmCom:Password";
    public const string CrmComOrganisation = "BackOffice:CrmCom:Organisation";
    public const string CrmComPaymentCancellationType = "BackOffice:CrmCom:PaymentCancellationType";
    public const string CrmComRefundType = "BackOffice:CrmCom:RefundType";
    public const string InternalApiKey = "Internal:ApiKey";
    public const string FinishingMaxAttempts = "Finishing:MaxAttempts";
    public const string FinishingRetryBaseMilliseconds = "Finishing:RetryBaseMilliseconds";
    public const string FinishingRelayGraceSeconds = "Finishing:RelayGraceSeconds";
    public const string FinishingMaxBacklog = "Finishing:MaxBacklog";
    /// <summary>Application Insights (Functions app only): telemetry is sent only when it is set.</summary>
    public const string ApplicationInsightsConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    /// <summary>The hosting environment (Development allows Security:Mode=None).</summary>
    public const string FunctionsEnvironment = "AZURE_FUNCTIONS_ENVIRONMENT";
    public const string DotnetEnvironment = "DOTNET_ENVIRONMENT";

    /// <summary>The name as operators write it (environment variable / local.settings.json form).</summary>
    public static string ToEnvironmentName(string name) => name.Replace(":", "__", StringComparison.Ordinal);
}
