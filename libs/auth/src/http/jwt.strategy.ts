import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-jwt';
import type { Principal } from '@landside/contracts';
import { extractBearer } from '../tokens/bearer';
import { TokenService, principalFromPayload } from '../tokens/token.service';

/** Passport strategy name; distinct so an app's other `jwt` strategy cannot shadow ours. */
export const LANDSIDE_JWT_STRATEGY = 'landside-jwt';

/**
 * HTTP bearer authentication with the very settings TokenService verifies STOMP tokens with
 * (same key, algorithm allow-list, issuer, audience, claim checks), so HTTP and STOMP accept
 * exactly the same tokens. The token is read from the Authorization header only, never a URL.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, LANDSIDE_JWT_STRATEGY) {
  constructor(tokens: TokenService) {
    const settings = tokens.verificationSettings();
    super({
      jwtFromRequest: (req: Request) => extractBearer(req.headers.authorization) ?? null,
      secretOrKey: settings.key,
      algorithms: settings.algorithms,
      issuer: settings.issuer,
      audience: settings.audience,
      ignoreExpiration: false,
    });
  }

  /** Claims jsonwebtoken does not check (exp present, role, zones, deviceType); throws TokenError. */
  validate(payload: unknown): Principal {
    return principalFromPayload(payload);
  }
}
