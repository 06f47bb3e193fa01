import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '@landside/contracts';
import type { DeviceToken, SessionTokens } from '../auth.service';

/** OpenAPI shapes of the token responses (the service returns plain objects of these shapes). */
export class SessionTokensResponse implements SessionTokens {
  @ApiProperty() accessToken!: string;
  @ApiProperty() refreshToken!: string;
  @ApiProperty({ enum: ['Bearer'] }) tokenType!: 'Bearer';
  @ApiProperty({ description: 'Access token lifetime in seconds' }) expiresIn!: number;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ type: [String], nullable: true, description: 'Zone scope; null for every zone' }) zones!: string[] | null;
}

export class DeviceTokenResponse implements DeviceToken {
  @ApiProperty() accessToken!: string;
  @ApiProperty({ enum: ['Bearer'] }) tokenType!: 'Bearer';
  @ApiProperty({ description: 'Token lifetime in seconds' }) expiresIn!: number;
}
