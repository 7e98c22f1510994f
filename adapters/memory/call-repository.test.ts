import { describeCallRepositoryContract } from '../../test/contracts/call-repository.contract.js';
import { createMemoryCallRepository } from './call-repository.js';

describeCallRepositoryContract('memory', () => createMemoryCallRepository());
