import { Module } from '@nestjs/common';
import { JwksController } from './jwks.controller.js';

/** The broker's public keys (client authentication, checkpoint signing). */
@Module({ controllers: [JwksController] })
export class KeysModule {}
