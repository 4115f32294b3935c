package dev.sigil.contract;

/** Why something was refused: a stable code for machines and a sentence a person can act on. */
public record Refusal(String code, String message) {
    public static final String MALFORMED_REQUEST = "MALFORMED_REQUEST";
    public static final String BODY_TOO_LARGE = "BODY_TOO_LARGE";
    public static final String UNAUTHORIZED = "UNAUTHORIZED";
    public static final String UNSUPPORTED_JOIN_METHOD = "UNSUPPORTED_JOIN_METHOD";
    public static final String INVALID_PUBLIC_KEY = "INVALID_PUBLIC_KEY";
    public static final String TOKEN_NOT_FOUND = "TOKEN_NOT_FOUND";
    public static final String TOKEN_EXPIRED = "TOKEN_EXPIRED";
    public static final String TOKEN_ALREADY_USED = "TOKEN_ALREADY_USED";
    public static final String TOKEN_METHOD_MISMATCH = "TOKEN_METHOD_MISMATCH";
    public static final String BOT_NOT_FOUND = "BOT_NOT_FOUND";
    public static final String ROLE_NOT_FOUND = "ROLE_NOT_FOUND";
    public static final String NO_PRINCIPALS = "NO_PRINCIPALS";
    public static final String ISSUER_UNAVAILABLE = "ISSUER_UNAVAILABLE";
    public static final String RATE_LIMITED = "RATE_LIMITED";
    public static final String NAME_NOT_ALLOWED = "NAME_NOT_ALLOWED";
    public static final String LOCKED = "LOCKED";
    public static final String UNAVAILABLE = "UNAVAILABLE";
    public static final String CHALLENGE_INVALID = "CHALLENGE_INVALID";
    public static final String PROOF_REPLAYED = "PROOF_REPLAYED";
    public static final String STS_ENDPOINT_NOT_ALLOWED = "STS_ENDPOINT_NOT_ALLOWED";
    public static final String STS_REQUEST_INVALID = "STS_REQUEST_INVALID";
    public static final String STS_REJECTED = "STS_REJECTED";
    public static final String SIGNATURE_INVALID = "SIGNATURE_INVALID";
    public static final String IDENTITY_INVALID = "IDENTITY_INVALID";
    public static final String IDENTITY_EXPIRED = "IDENTITY_EXPIRED";
    public static final String RENEWAL_NOT_ALLOWED = "RENEWAL_NOT_ALLOWED";
    public static final String UNKNOWN_INSTANCE = "UNKNOWN_INSTANCE";
    public static final String DELIVERY_UNKNOWN = "DELIVERY_UNKNOWN";
    public static final String GENERATION_MISMATCH = "GENERATION_MISMATCH";
    public static final String REGISTRATION_CLOSED = "REGISTRATION_CLOSED";
    public static final String JOIN_LIMIT_REACHED = "JOIN_LIMIT_REACHED";
    public static final String MFA_REQUIRED = "MFA_REQUIRED";
    public static final String ROLE_NOT_ALLOWED = "ROLE_NOT_ALLOWED";
    public static final String OUTPUT_NOT_ALLOWED = "OUTPUT_NOT_ALLOWED";
    public static final String UNKNOWN_CLUSTER = "UNKNOWN_CLUSTER";
    public static final String ROTATION_NOT_ALLOWED = "ROTATION_NOT_ALLOWED";
    public static final String WEBHOOK_BAD_SIGNATURE = "WEBHOOK_BAD_SIGNATURE";
    public static final String WEBHOOK_NOT_CONFIGURED = "WEBHOOK_NOT_CONFIGURED";
    public static final String JWT_MALFORMED = "JWT_MALFORMED";
    public static final String JWT_ALGORITHM_NOT_ALLOWED = "JWT_ALGORITHM_NOT_ALLOWED";
    public static final String JWT_BAD_SIGNATURE = "JWT_BAD_SIGNATURE";
    public static final String JWT_WRONG_ISSUER = "JWT_WRONG_ISSUER";
    public static final String JWT_WRONG_AUDIENCE = "JWT_WRONG_AUDIENCE";
    public static final String JWT_EXPIRED = "JWT_EXPIRED";
    public static final String JWT_NOT_YET_VALID = "JWT_NOT_YET_VALID";
    public static final String JWT_MISSING_CLAIM = "JWT_MISSING_CLAIM";
    public static final String JWT_REPLAYED = "JWT_REPLAYED";
    public static final String JWKS_UNAVAILABLE = "JWKS_UNAVAILABLE";
    public static final String ALLOW_RULES_NOT_MATCHED = "ALLOW_RULES_NOT_MATCHED";
    /** The issuer could not sign what was asked; nothing was issued and the issuer goes on with other requests. */
    public static final String ISSUANCE_FAILED = "ISSUANCE_FAILED";
    /** An issue request not signed by a Sigil service entitled to ask for it. */
    public static final String SENDER_NOT_TRUSTED = "SENDER_NOT_TRUSTED";
    /** A CI webhook event older than the accepted window (by its own signed timestamps): a replay, or delivered too late. */
    public static final String WEBHOOK_STALE = "WEBHOOK_STALE";
    /** The admin API has no resource of that kind by that name. */
    public static final String NOT_FOUND = "NOT_FOUND";
    /** An admin update named a version (If-Match) that is no longer the current one: someone changed it since. */
    public static final String VERSION_CONFLICT = "VERSION_CONFLICT";
    /** An admin update without If-Match: updates must say which version they change. */
    public static final String VERSION_REQUIRED = "VERSION_REQUIRED";
    /** The admin API was called without an admin certificate or console session that checks out. */
    public static final String ADMIN_UNAUTHENTICATED = "ADMIN_UNAUTHENTICATED";
    /** The admin lacks the admin role the request needs (the message names it), or is no admin at all. */
    public static final String ADMIN_ROLE_MISSING = "ADMIN_ROLE_MISSING";
    /** A console session tried to write without the {@code X-Sigil-Console: 1} header (a cross-site request). */
    public static final String CONSOLE_HEADER_MISSING = "CONSOLE_HEADER_MISSING";
    /** A console link that is unknown, already used or expired. */
    public static final String CONSOLE_LINK_INVALID = "CONSOLE_LINK_INVALID";
    /** The change would leave no ca-admin: nobody could manage admins, roles or the CA any more. */
    public static final String LAST_CA_ADMIN = "LAST_CA_ADMIN";
}
