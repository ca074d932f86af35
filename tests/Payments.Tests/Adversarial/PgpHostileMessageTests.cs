using System.Text;
using Payments.Core.Security;
using Payments.Core.Security.Pgp;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Adversarial;

/// <summary>The shared key-tool keys (TestKeys): two certificates of ours (rotation) and one of Google's.</summary>
public sealed class PgpHostileKeys
{
    public PgpHostileKeys()
    {
        Ours1 = TestKeys.PgpOurs1;
        Ours2 = TestKeys.PgpOurs2;
        Google = TestKeys.PgpGoogle;
        Single = new PgpEnvelope(Ours1.Secret, null, Google.Public);
        Rotation = new PgpEnvelope(Ours1.Secret + "\n" + Ours2.Secret, null, Google.Public);
        GoogleSide = new PgpEnvelope(Google.Secret, null, Ours1.Public);
    }

    public (string Secret, string Public) Ours1 { get; }
    public (string Secret, string Public) Ours2 { get; }
    public (string Secret, string Public) Google { get; }
    public PgpEnvelope Single { get; }
    public PgpEnvelope Rotation { get; }
    public PgpEnvelope GoogleSide { get; }
}

/// <summary>
/// Everything an outsider with our public key can make the envelope do before a signature is checked
/// is bounded (PgpLimits): compression bombs of every packet type, compression algorithm and length
/// form, nested compression, packet / signature / session-key floods. Each is refused as a malformed
/// envelope (400) and the work done is observed through the envelope's own accounting (decompressed
/// bytes, packets, signatures, RSA private-key operations) and the bytes allocated on the thread.
/// </summary>
[Trait("Category", Category.Unit)]
public sealed class PgpHostileMessageTests(PgpHostileKeys keys) : IClassFixture<PgpHostileKeys>
{
    /// <summary>Heap allocated while refusing one message; the acceptance is 50 MB of extra memory.</summary>
    private const long MaxAllocatedBytes = 24L << 20;

    /// <summary>Bombs inflate to this much (twice every limit); the large ones to 64 MiB.</summary>
    private const long BombBytes = 2L << 20, LargeBombBytes = 64L << 20;

    private const string Json = """{"requestHeader":{"requestId":"hostile"}}""";

    public static TheoryData<int, byte, string> EveryPacketTypeAlgorithmAndLength()
    {
        var data = new TheoryData<int, byte, string>();
        foreach (var algorithm in PgpBombs.Algorithms)
            for (int tag = 1; tag < 64; tag++)
            {
                data.Add(tag, algorithm, "definite");
                data.Add(tag, algorithm, "partial");
                if (tag < 16) data.Add(tag, algorithm, "old-indeterminate");
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryPacketTypeAlgorithmAndLength))]
    public void A_compressed_packet_of_any_type_inflating_past_the_limit_is_refused_within_it(int tag, byte algorithm, string length)
    {
        var packet = PgpBombs.Compressed(algorithm, s =>
        {
            if (length == "old-indeterminate")
            {
                s.WriteByte((byte)(0x80 | (tag << 2) | 3)); // old format, length "to the end"
                PgpBombs.Repeat(s, new byte[1 << 16], BombBytes);
            }
            else PgpBombs.ZeroPacket(s, tag, BombBytes, partial: length == "partial");
        }, partial: length == "partial");
        var work = Refused(keys.Single, Encrypted(packet));
        Assert.Equal(1, work.CompressedPackets); // decrypted: the refusal is the bomb's
        Assert.InRange(work.DecompressedBytes, 0, PgpLimits.MaxDecompressedBytes + 1);
        Assert.InRange(work.Packets, 1, PgpLimits.MaxPackets);
        Assert.Equal(1, work.PrivateKeyOperations);
    }

    [Theory]
    [InlineData(PgpBombs.Zip)]
    [InlineData(PgpBombs.ZLib)]
    [InlineData(PgpBombs.BZip2)]
    public void A_large_bomb_of_an_unexpected_packet_type_costs_no_more_than_a_small_one(byte algorithm)
    {
        // The finding: an experimental packet (tag 60) with partial lengths, inflated in full.
        var packet = PgpBombs.Compressed(algorithm, s => PgpBombs.ZeroPacket(s, 60, LargeBombBytes, partial: true), partial: true);
        var body = Encrypted(packet);
        Assert.InRange(body.Length, 1, 1 << 20);
        var work = Refused(keys.Single, body);
        Assert.InRange(work.DecompressedBytes, 0, PgpLimits.MaxDecompressedBytes + 1);
    }

    [Theory]
    [InlineData(PgpBombs.Zip, PgpBombs.Zip)]
    [InlineData(PgpBombs.Zip, PgpBombs.BZip2)]
    [InlineData(PgpBombs.ZLib, PgpBombs.ZLib)]
    [InlineData(PgpBombs.ZLib, PgpBombs.Zip)]
    [InlineData(PgpBombs.BZip2, PgpBombs.BZip2)]
    [InlineData(PgpBombs.BZip2, PgpBombs.ZLib)]
    public void Compression_inside_compression_is_refused_before_the_inner_one_is_inflated(byte outer, byte inner)
    {
        var innerPacket = PgpBombs.Compressed(inner, s => PgpBombs.ZeroPacket(s, 11, LargeBombBytes, partial: true), partial: true);
        var work = Refused(keys.Single, Encrypted(PgpBombs.Compressed(outer, s => s.Write(innerPacket))));
        Assert.Equal(PgpLimits.MaxCompressionDepth, work.MaxDepth);
        Assert.InRange(work.DecompressedBytes, 0, innerPacket.Length); // the inner packet's bytes only
    }

    [Fact]
    public void Deep_nesting_stops_at_the_second_level()
    {
        var packet = PgpBombs.Compressed(PgpBombs.Zip, s => PgpBombs.ZeroPacket(s, 11, BombBytes, partial: false));
        for (int depth = 0; depth < 20; depth++)
        {
            var inner = packet;
            packet = PgpBombs.Compressed(PgpBombs.Algorithms[depth % 3], s => s.Write(inner));
        }
        var work = Refused(keys.Single, Encrypted(packet));
        Assert.Equal(1, work.MaxDepth);
        Assert.Equal(1, work.CompressedPackets);
    }

    [Fact]
    public void Several_compressed_packets_side_by_side_are_refused_at_the_second()
    {
        var one = PgpBombs.Compressed(PgpBombs.BZip2, s => PgpBombs.Repeat(s, "\xCA\x03PGP"u8.ToArray(), 4096));
        var work = Refused(keys.Single, Encrypted([.. one, .. one, .. one, .. one]));
        Assert.Equal(PgpLimits.MaxCompressedPackets, work.CompressedPackets);
    }

    [Theory]
    [InlineData(PgpBombs.Zip)]
    [InlineData(PgpBombs.ZLib)]
    [InlineData(PgpBombs.BZip2)]
    public void A_compressed_flood_of_marker_packets_is_refused_at_the_packet_limit(byte algorithm)
    {
        byte[] marker = [0xCA, 3, (byte)'P', (byte)'G', (byte)'P'];
        // Under the decompression limit (≈ 100,000 packets): the packet count refuses it.
        var work = Refused(keys.Single, Encrypted(PgpBombs.Compressed(algorithm, s => PgpBombs.Repeat(s, marker, 512 << 10))));
        Assert.Equal(PgpLimits.MaxPackets + 1, work.Packets);
        // Over it (≈ 800,000 packets): decompression stops first.
        work = Refused(keys.Single, Encrypted(PgpBombs.Compressed(algorithm, s => PgpBombs.Repeat(s, marker, 4 << 20))));
        Assert.InRange(work.DecompressedBytes, 0, PgpLimits.MaxDecompressedBytes + 1);
        Assert.InRange(work.Packets, 1, PgpLimits.MaxPackets + 1);
    }

    [Theory]
    [InlineData(PgpBombs.Zip)]
    [InlineData(PgpBombs.ZLib)]
    [InlineData(PgpBombs.BZip2)]
    public void A_compressed_flood_of_signatures_is_refused_at_the_signature_limit(byte algorithm)
    {
        var work = Refused(keys.Single, Encrypted(PgpBombs.Compressed(algorithm, s => PgpBombs.Repeat(s, PgpBombs.TinySignature, 512 << 10))));
        Assert.Equal(PgpLimits.MaxSignatures + 1, work.Signatures);
        // The finding's shape: ≈ 2 million small signature packets (30 MB) in one compressed packet.
        var many = algorithm == PgpBombs.BZip2 ? 4L << 20 : 30L << 20; // the bzip2 command is slow on repeated patterns
        work = Refused(keys.Single, Encrypted(PgpBombs.Compressed(algorithm, s => PgpBombs.Repeat(s, PgpBombs.TinySignature, many))));
        Assert.InRange(work.Signatures, 0, PgpLimits.MaxSignatures + 1);
        Assert.InRange(work.DecompressedBytes, 0, PgpLimits.MaxDecompressedBytes + 1);
    }

    [Fact]
    public void Bzip2_input_over_its_limit_is_refused_before_decoding()
    {
        // Incompressible content makes BZip2 input as large as its output: decoding it costs CPU per byte.
        var random = new byte[PgpLimits.MaxBzip2InputBytes + 4096];
        new Random(3).NextBytes(random);
        var work = Refused(keys.Single, Encrypted(PgpBombs.Compressed(PgpBombs.BZip2, s => PgpBombs.Packet(s, 11, [(byte)'b', 0, 0, 0, 0, 0, .. random]))));
        Assert.Equal(0, work.DecompressedBytes);
    }

    [Fact]
    public void An_uncompressed_flood_of_signatures_is_refused_at_the_signature_limit()
    {
        var literal = new MemoryStream();
        PgpBombs.Packet(literal, 11, [(byte)'b', 0, 0, 0, 0, 0, .. Encoding.UTF8.GetBytes(Json)]);
        var work = Refused(keys.Single, Encrypted(PgpBombs.Flood(PgpBombs.TinySignature, 600_000, literal.ToArray())));
        Assert.Equal(PgpLimits.MaxSignatures + 1, work.Signatures);
        Assert.Equal(0, work.DecompressedBytes);
    }

    [Fact]
    public void A_body_full_of_session_key_packets_naming_our_key_costs_no_private_key_operation()
    {
        var raw = PgpBombs.Encrypt(SignedByGoogleInner(), keys.Ours1.Public);
        var packets = PgpBombs.OuterPackets(raw);
        var flood = PgpBombs.Flood(packets[0], 760_000, packets[1]); // ≈ 1 MiB of base64: ≈ 2,800 copies
        var body = PgpBombs.ToBody(flood);
        Assert.InRange(body.Length, 1, 1 << 20);
        var work = Refused(keys.Single, body);
        Assert.Equal(0, work.PrivateKeyOperations);
        Assert.Equal(PgpLimits.MaxPackets + 1, work.Packets);
    }

    [Fact]
    public void Session_key_packets_under_the_packet_limit_cost_one_private_key_operation_per_key_of_ours()
    {
        var raw = PgpBombs.Encrypt(SignedByGoogleInner(), keys.Ours1.Public);
        var packets = PgpBombs.OuterPackets(raw);
        int pos = 0;
        PgpPackets.TryRead(packets[0], ref pos, out _, out var pkesk);
        var keyId = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(pkesk.AsSpan(1)); // our encryption subkey
        // Bogus packets naming our key, then hidden-recipient ones (every key of ours is a candidate).
        var bogus = Enumerable.Range(0, 15).Select(_ => PgpBombs.Pkesk(keyId, 256))
            .Concat(Enumerable.Range(0, 15).Select(_ => PgpBombs.Pkesk(0, 256)));
        var flooded = bogus.Aggregate(Array.Empty<byte>(), (a, p) => [.. a, .. p]);
        var single = Refused(keys.Single, PgpBombs.ToBody([.. flooded, .. packets[1]]));
        Assert.Equal(1, single.PrivateKeyOperations);
        var rotation = Refused(keys.Rotation, PgpBombs.ToBody([.. flooded, .. packets[1]]));
        Assert.Equal(2, rotation.PrivateKeyOperations);
    }

    [Fact]
    public void An_outer_flood_of_marker_packets_is_refused_before_any_private_key_operation()
    {
        var raw = PgpBombs.Encrypt(SignedByGoogleInner(), keys.Ours1.Public);
        var packets = PgpBombs.OuterPackets(raw);
        var work = Refused(keys.Single, PgpBombs.ToBody(PgpBombs.Flood([0xCA, 3, (byte)'P', (byte)'G', (byte)'P'], 700_000, packets[0], packets[1])));
        Assert.Equal(0, work.PrivateKeyOperations);
    }

    [Fact]
    public void A_valid_message_stays_far_below_every_limit()
    {
        // Control: the same accounting on a message Google would send (and with bzip2 compression).
        var inner = SignedByGoogleInner();
        var work = new PgpWork();
        Assert.Equal(Json, Encoding.UTF8.GetString(keys.Single.Open(Encrypted(inner), work)));
        Assert.Equal((1, 0, 0), (work.PrivateKeyOperations, work.CompressedPackets, work.DecompressedBytes));
        Assert.InRange(work.Packets, 4, 6);
        Assert.Equal(1, work.Signatures);

        var compressed = new PgpWork();
        Assert.Equal(Json, Encoding.UTF8.GetString(keys.Single.Open(Encrypted(PgpBombs.Compressed(PgpBombs.BZip2, s => s.Write(inner))), compressed)));
        Assert.Equal((1, inner.Length), (compressed.CompressedPackets, (int)compressed.DecompressedBytes));
    }

    private static readonly string[] Unusable = ["v4-alg99", "v4-hash99", "v4-bad-subpacket", "v5", "v6"];
    public static TheoryData<string> UnusableKinds => new(Unusable);

    [Theory]
    [MemberData(nameof(UnusableKinds))]
    public void A_signature_no_verifier_can_use_beside_a_valid_Google_signature_does_not_void_it(string kind)
    {
        // Google adding a newer signature during a migration: one good signature from its active key suffices.
        var (ops, literal, signature, keyId) = GoogleSignedParts();
        var inner = Concat(PgpBombs.OnePass(keyId, last: false), ops, literal, signature, PgpBombs.UnusableSignature(kind, keyId));
        var work = new PgpWork();
        Assert.Equal(Json, Encoding.UTF8.GetString(keys.Single.Open(Encrypted(inner), work)));
        Assert.Equal(2, work.Signatures);
        // The same signature first (and its one-pass packet last): the order does not matter.
        inner = Concat([.. ops[..^1], 0], PgpBombs.OnePass(keyId, last: true),
            literal, PgpBombs.UnusableSignature(kind, keyId), signature);
        Assert.Equal(Json, Encoding.UTF8.GetString(keys.Single.Open(Encrypted(inner))));
    }

    [Theory]
    [MemberData(nameof(UnusableKinds))]
    public void A_message_whose_only_signature_no_verifier_can_use_is_refused_as_before(string kind)
    {
        var (_, literal, _, keyId) = GoogleSignedParts();
        var e = Assert.IsType<EnvelopeException>(Record.Exception(() =>
            keys.Single.Open(Encrypted(Concat(PgpBombs.OnePass(keyId, last: true), literal, PgpBombs.UnusableSignature(kind, keyId))))));
        Assert.Equal(kind is "v4-hash99" ? EnvelopeFailure.InvalidSignature : EnvelopeFailure.InvalidEncryption, e.Failure);
    }

    [Fact]
    public void Unusable_signatures_still_count_towards_the_signature_limit()
    {
        var (ops, literal, signature, keyId) = GoogleSignedParts();
        byte[] Message(int unusable) => Concat([
            .. Enumerable.Range(0, unusable).Select(_ => PgpBombs.OnePass(keyId, last: false)), ops, literal, signature,
            .. Enumerable.Range(0, unusable).Select(i => PgpBombs.UnusableSignature(Unusable[i % Unusable.Length], keyId))]);
        var under = new PgpWork();
        Assert.Equal(Json, Encoding.UTF8.GetString(keys.Single.Open(Encrypted(Message(PgpLimits.MaxSignatures - 1)), under)));
        Assert.Equal(PgpLimits.MaxSignatures, under.Signatures);
        var over = Refused(keys.Single, Encrypted(Message(PgpLimits.MaxSignatures)));
        Assert.Equal(PgpLimits.MaxSignatures + 1, over.Signatures);
    }

    /// <summary>Google's signed layer split into its one-pass packet, literal packet and signature packet
    /// (headers included), and the key id they name.</summary>
    private (byte[] OnePass, byte[] Literal, byte[] Signature, long KeyId) GoogleSignedParts()
    {
        var inner = SignedByGoogleInner();
        var parts = PgpBombs.OuterPackets(inner);
        Assert.Equal(3, parts.Count);
        int pos = 0;
        PgpPackets.TryRead(parts[0], ref pos, out var tag, out var ops);
        Assert.Equal(PgpPackets.TagOnePass, tag);
        return (parts[0], parts[1], parts[2], System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(ops.AsSpan(4)));
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>The signed layer (one-pass, literal, signature) of a message from Google: what the
    /// Google-side envelope seals to our key, decrypted by BouncyCastle.</summary>
    private byte[] SignedByGoogleInner() =>
        PgpBombs.Decrypt(PgpBombs.FromBody(keys.GoogleSide.Seal(Encoding.UTF8.GetBytes(Json))), keys.Ours1.Secret);

    private byte[] Encrypted(byte[] inner) => PgpBombs.ToBody(PgpBombs.Encrypt(inner, keys.Ours1.Public));

    /// <summary>Opens <paramref name="body"/>, requires the malformed-envelope refusal and a bounded heap; returns the work done.</summary>
    private static PgpWork Refused(PgpEnvelope envelope, byte[] body)
    {
        var work = new PgpWork();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Record.Exception(() => envelope.Open(body, work));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(EnvelopeFailure.InvalidEncryption, Assert.IsType<EnvelopeException>(e).Failure);
        Assert.InRange(allocated, 0, MaxAllocatedBytes);
        Assert.InRange(work.PrivateKeyOperations, 0, 2);
        return work;
    }
}
