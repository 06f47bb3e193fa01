import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class DeviceTokenDto {
  @ApiProperty({ example: 'T1-GATE-01' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  deviceId!: string;

  @ApiProperty({ description: 'The device secret shown once at registration', format: 'password' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  secret!: string;
}
