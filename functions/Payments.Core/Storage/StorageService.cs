using Azure.Core;
using Azure.Core.Pipeline;

namespace Payments.Core.Storage;

internal enum StorageService { Table, Queue }
