import { Body, Controller, HttpCode, HttpStatus, Ip, Post, UseInterceptors } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AuthService, type DeviceToken, type SessionTokens } from './auth.service';
import { DeviceTokenDto } from './dto/device-token.dto';
import { LoginDto } from './dto/login.dto';
import { RefreshTokenDto } from './dto/refresh-token.dto';
import { DeviceTokenResponse, SessionTokensResponse } from './dto/token-responses.dto';
import { RetryAfterInterceptor } from './http/retry-after.interceptor';

/** SPEC §8 token endpoints; paths are prefix-less, the app adds the global `api` prefix. */
@ApiTags('auth')
@Controller('auth')
@UseInterceptors(RetryAfterInterceptor)
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: SessionTokensResponse })
  @ApiUnauthorizedResponse({ description: '`invalid-credentials`' })
  @ApiTooManyRequestsResponse({ description: '`account-locked`, with Retry-After' })
  login(@Body() body: LoginDto, @Ip() ip: string): Promise<SessionTokens> {
    return this.auth.login(body.username, body.password, ip);
  }

  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: SessionTokensResponse })
  @ApiUnauthorizedResponse({ description: '`invalid-refresh-token`, `refresh-token-expired`, `refresh-token-reused`' })
  refresh(@Body() body: RefreshTokenDto): Promise<SessionTokens> {
    return this.auth.refresh(body.refreshToken);
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'The refresh token family is revoked (also when it already was)' })
  logout(@Body() body: RefreshTokenDto): Promise<void> {
    return this.auth.logout(body.refreshToken);
  }

  @Post('device-token')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: DeviceTokenResponse })
  @ApiUnauthorizedResponse({ description: '`invalid-credentials`' })
  deviceToken(@Body() body: DeviceTokenDto): Promise<DeviceToken> {
    return this.auth.deviceToken(body.deviceId, body.secret);
  }
}
